/**
 * Roles: the menu follows their order and colours, a role switched off
 * hides its apps from the menu (not from Ctrl+K), "Restore defaults" puts
 * the seed back with one undo, and a database written by 0.1 gains the
 * colour field with its default.
 */
import assert from "node:assert/strict";
import { dump, type TestApp, testApp } from "./helpers/app.ts";

const FIXTURE = new URL("./fixtures/v0.1/", import.meta.url).pathname;

function menu(page: string): string {
  const at = page.indexOf('<nav id="app-menu"');
  return page.slice(at, page.indexOf("</nav>", at));
}

function groups(page: string): string[] {
  return [
    ...menu(page).matchAll(/<span class="role-mark role-(\w+)"[^>]*><\/span>(\w+)<\/summary>/g),
  ]
    .map((m) => `${m[2]}:${m[1]}`);
}

function roleIds(app: TestApp): Record<string, number> {
  return Object.fromEntries(
    app.runtime.services().crud.get("roles").list().map((r) => [r.name, r.id as number]),
  );
}

Deno.test("the Roles page shows every role's colour as a chip, the default colour too", async () => {
  const app = testApp();
  try {
    const page = await (await app.request("/roles")).text();
    const chips = [
      ...page.matchAll(
        /<li id="roles-\d+"[^>]*>.*?>(\w+)<\/span>.*?<span class="role-mark role-(\w+)"[^>]*><\/span>(\w+)<\/span>/g,
      ),
    ].map((m) => `${m[1]}:${m[2]}:${m[3]}`);
    assert.deepEqual(chips, ["Core:blue:blue", "Tutorial:green:green", "Developer:purple:purple"]);
  } finally {
    app.close();
  }
});

Deno.test("the menu shows the roles in their order, each with its colour", async () => {
  const app = testApp();
  try {
    assert.deepEqual(groups(await (await app.request("/")).text()), [
      "Core:blue",
      "Tutorial:green",
      "Developer:purple",
    ]);
    const ids = roleIds(app);
    await app.post("/roles/sort", { order: [ids.Developer, ids.Core, ids.Tutorial].join(",") });
    await app.post(`/roles/${ids.Tutorial}`, { name: "Tutorial", colour: "amber" });
    assert.deepEqual(groups(await (await app.request("/")).text()), [
      "Developer:purple",
      "Core:blue",
      "Tutorial:amber",
    ]);
    const fragment = await (await app.request("/nav/menu", { htmx: true })).text();
    assert.deepEqual(groups(fragment), ["Developer:purple", "Core:blue", "Tutorial:amber"]);
  } finally {
    app.close();
  }
});

Deno.test("Restore defaults puts back the three roles, in order, with one undo", async () => {
  const app = testApp();
  try {
    const ids = roleIds(app);
    await app.request(`/roles/${ids.Tutorial}`, { method: "DELETE", htmx: true });
    await app.post(`/roles/${ids.Developer}/toggle`, {});
    await app.post("/roles", { name: "Writers" });
    const page = await (await app.request("/roles")).text();
    assert.match(page, /Restore defaults/);
    const before = dump(app.runtime.db());
    const res = await app.post("/roles/restore", {});
    const html = await res.text();
    assert.equal(res.status, 200, html);
    assert.match(html, /restored the 3 default records/);
    const roles = app.runtime.services().crud.get("roles").list();
    assert.deepEqual(roles.map((r) => [r.name, r.active, r.colour]), [
      ["Core", true, "blue"],
      ["Tutorial", true, "green"],
      ["Developer", true, "purple"],
    ]);
    assert.deepEqual(groups(await (await app.request("/")).text()).length, 3);
    const token = html.match(/\/roles\/undo\/([A-Za-z0-9_-]{22})/)![1];
    await app.post(`/roles/undo/${token}`, {});
    assert.equal(dump(app.runtime.db()), before, "one undo brings the old roles back");
    assert.equal((await app.post("/tasks/restore", {})).status, 422, "Tasks has no defaults");
  } finally {
    app.close();
  }
});

Deno.test("a 0.1 database gains the roles' colour (the default) and Profiles' website, keeping every record", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "cardflow-roles-" });
  await Deno.copyFile(`${FIXTURE}cardflow-dev.db`, `${dataDir}/cardflow-dev.db`);
  const app = testApp({ config: { dataDir } });
  try {
    const db = app.runtime.db();
    assert.deepEqual(
      db.prepare("SELECT name, active, colour FROM roles ORDER BY position").all().map((r) => ({
        ...r,
      })),
      [
        { name: "Core", active: 1, colour: "blue" },
        { name: "Tutorial", active: 1, colour: "blue" },
        { name: "Developer", active: 0, colour: "blue" },
      ],
    );
    assert.deepEqual(
      db.prepare("SELECT name, website FROM profiles ORDER BY id").all().map((r) => ({ ...r })),
      [{ name: "Default", website: null }, { name: "Ada", website: null }],
    );
    const types = app.runtime.services().store.get<Record<string, string>>("schema.profiles")!;
    assert.equal(types.address, "textarea", "text became textarea without a migration");
    assert.deepEqual(groups(await (await app.request("/")).text()), ["Core:blue", "Tutorial:blue"]);
    // The old tasks are found by search: the index was built over existing records.
    const found = app.runtime.services().crud.get("tasks").find({
      q: "milk",
      filters: [],
    }).records;
    assert.deepEqual(found.map((r) => r.name), ["Buy milk"]);
  } finally {
    app.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("Roles: switching a role off hides its apps from the menu but not from Ctrl+K", async () => {
  const app = testApp();
  try {
    const tutorial = app.runtime.db().prepare("SELECT id FROM roles WHERE name = 'Tutorial'")
      .get() as { id: number };
    assert.match(await (await app.request("/")).text(), /<\/span>Tutorial<\/summary>/);
    await app.post(`/roles/${tutorial.id}/toggle`, {});
    const page = await (await app.request("/")).text();
    assert.doesNotMatch(menu(page), /Tutorial|Hello/);
    assert.match(page, /<dialog id="app-search".*href="\/hello"/s);
  } finally {
    app.close();
  }
});
