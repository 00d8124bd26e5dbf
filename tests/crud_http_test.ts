import assert from "node:assert/strict";
import { dump, type TestApp, testApp } from "./helpers/app.ts";

function tasks(
  app: TestApp,
): { id: number; name: string; done: number; position: number; profile_id: number }[] {
  return app.runtime.db().prepare("SELECT * FROM tasks ORDER BY position").all() as never;
}

function decode(text: string): string {
  return text.replaceAll("&quot;", '"').replaceAll("&#39;", "'").replaceAll("&lt;", "<").replaceAll(
    "&gt;",
    ">",
  ).replaceAll("&amp;", "&");
}

interface Scenario {
  name: string;
  method: string;
  path: string;
  form?: Record<string, string>;
  status: number;
  has?: RegExp;
  hasNot?: RegExp;
  /** The data must not change (a refused request). */
  unchanged?: boolean;
}

async function runScenarios(app: TestApp, scenarios: Scenario[]): Promise<void> {
  for (const s of scenarios) {
    const before = dump(app.runtime.db());
    const res = s.form !== undefined
      ? await app.request(s.path, {
        method: s.method,
        body: new URLSearchParams(s.form),
        headers: { "content-type": "application/x-www-form-urlencoded" },
        htmx: true,
      })
      : await app.request(s.path, { method: s.method, htmx: true });
    const raw = await res.text();
    assert.equal(res.status, s.status, `${s.name}: ${raw.slice(0, 300)}`);
    if (s.has) assert.match(decode(raw), s.has, s.name);
    if (s.hasNot) assert.doesNotMatch(raw, s.hasNot, s.name);
    if (s.unchanged) assert.equal(dump(app.runtime.db()), before, `${s.name} changed data`);
  }
}

Deno.test("Tasks: each operation's happy path and bad inputs, table-driven", async () => {
  const app = testApp();
  try {
    await app.post("/tasks", { name: "Buy milk" });
    await app.post("/tasks", { name: "Walk" });
    const [milk, walk] = tasks(app);
    // A task of another profile, which must stay invisible and untouchable.
    const other = app.runtime.db().prepare(
      "INSERT INTO tasks (name, done, position, profile_id) VALUES ('Secret', 0, 1, 999) RETURNING id",
    ).get() as { id: number };
    await runScenarios(app, [
      {
        name: "list",
        method: "GET",
        path: "/tasks",
        status: 200,
        has: /Buy milk.*Walk/s,
        hasNot: /Secret/,
      },
      {
        name: "create",
        method: "POST",
        path: "/tasks",
        form: { name: "Read" },
        status: 200,
        has: /Read/,
      },
      {
        name: "missing name",
        method: "POST",
        path: "/tasks",
        form: {},
        status: 422,
        has: /name is required/,
        unchanged: true,
      },
      {
        name: "empty name",
        method: "POST",
        path: "/tasks",
        form: { name: "   " },
        status: 422,
        has: /name is required/,
        unchanged: true,
      },
      {
        name: "10 KB name",
        method: "POST",
        path: "/tasks",
        form: { name: "x".repeat(10_000) },
        status: 422,
        has: /too long: at most 200/,
        unchanged: true,
      },
      {
        name: "HTML in a name is shown as text",
        method: "POST",
        path: "/tasks",
        form: { name: "<script>alert(1)</script><img src=x onerror=alert(2)>" },
        status: 200,
        has: /<script>alert\(1\)/,
        hasNot: /<script>alert|<img src=x/,
      },
      {
        name: "edit form",
        method: "GET",
        path: `/tasks/${milk!.id}/edit`,
        status: 200,
        has: /form class="edit"/,
      },
      {
        name: "update",
        method: "POST",
        path: `/tasks/${milk!.id}`,
        form: { name: "Buy oat milk" },
        status: 200,
        has: /Buy oat milk/,
      },
      {
        name: "update to empty",
        method: "POST",
        path: `/tasks/${milk!.id}`,
        form: { name: "" },
        status: 422,
        has: /name is required/,
        unchanged: true,
      },
      {
        name: "toggle",
        method: "POST",
        path: `/tasks/${milk!.id}/toggle`,
        status: 200,
        has: /checked/,
      },
      {
        name: "unknown id",
        method: "POST",
        path: "/tasks/424242/toggle",
        status: 404,
        has: /no record #424242/,
        unchanged: true,
      },
      {
        name: "non-numeric id",
        method: "POST",
        path: "/tasks/abc/toggle",
        status: 404,
        unchanged: true,
      },
      {
        name: "other profile's task: toggle",
        method: "POST",
        path: `/tasks/${other.id}/toggle`,
        status: 404,
        unchanged: true,
      },
      {
        name: "other profile's task: update",
        method: "POST",
        path: `/tasks/${other.id}`,
        form: { name: "pwned" },
        status: 404,
        unchanged: true,
      },
      {
        name: "other profile's task: delete",
        method: "DELETE",
        path: `/tasks/${other.id}`,
        status: 404,
        unchanged: true,
      },
      {
        name: "other profile's task: edit form",
        method: "GET",
        path: `/tasks/${other.id}/edit`,
        status: 404,
        hasNot: /Secret/,
        unchanged: true,
      },
      {
        name: "sort with a missing id",
        method: "POST",
        path: "/tasks/sort",
        form: { order: `${walk!.id}` },
        status: 422,
        has: /exactly once/,
        unchanged: true,
      },
      {
        name: "sort with a duplicate id",
        method: "POST",
        path: "/tasks/sort",
        form: { order: `${walk!.id},${walk!.id},${milk!.id},${milk!.id}` },
        status: 422,
        unchanged: true,
      },
      {
        name: "sort with a foreign id",
        method: "POST",
        path: "/tasks/sort",
        form: {
          order: tasks(app).filter((t) => t.profile_id !== 999).map((t) => t.id).slice(1).concat(
            other.id,
          ).join(","),
        },
        status: 422,
        unchanged: true,
      },
      {
        name: "sort with junk",
        method: "POST",
        path: "/tasks/sort",
        form: { order: "a,b" },
        status: 422,
        unchanged: true,
      },
      { name: "delete", method: "DELETE", path: `/tasks/${walk!.id}`, status: 200 },
      {
        name: "toggle a deleted task",
        method: "POST",
        path: `/tasks/${walk!.id}/toggle`,
        status: 404,
        has: /no record/,
        unchanged: true,
      },
    ]);
    const mine = tasks(app).filter((t) => t.profile_id !== 999);
    assert.deepEqual(mine.map((t) => t.name), [
      "Buy oat milk",
      "Read",
      "<script>alert(1)</script><img src=x onerror=alert(2)>",
    ]);
    assert.equal(tasks(app).find((t) => t.id === other.id)!.name, "Secret");
    // A complete order is accepted.
    const reversed = mine.map((t) => t.id).reverse();
    assert.equal((await app.post("/tasks/sort", { order: reversed.join(",") })).status, 200);
    assert.deepEqual(tasks(app).filter((t) => t.profile_id !== 999).map((t) => t.id), reversed);
    // Keyboard move: the last one up one place.
    const moved = await app.post(`/tasks/${reversed[2]}/move?by=-1`, {});
    assert.equal(moved.status, 200);
    assert.deepEqual(tasks(app).filter((t) => t.profile_id !== 999).map((t) => t.id), [
      reversed[0],
      reversed[2],
      reversed[1],
    ]);
  } finally {
    app.close();
  }
});

Deno.test("Profiles: create, rename, switch, and a guarded delete of a profile with records", async () => {
  const app = testApp();
  try {
    const rt = app.runtime;
    const profiles = () =>
      rt.db().prepare("SELECT id, name FROM profiles ORDER BY position").all() as {
        id: number;
        name: string;
      }[];
    assert.deepEqual(profiles().map((p) => p.name), ["Default"], "a Default profile is seeded");
    const def = profiles()[0]!;
    assert.equal(rt.services().store.get("profile.current.id"), def.id, "and made current");
    await runScenarios(app, [
      {
        name: "create",
        method: "POST",
        path: "/profiles",
        form: { name: "Acme", real_name: "Acme Corp" },
        status: 200,
        has: /Acme/,
      },
      {
        name: "missing name",
        method: "POST",
        path: "/profiles",
        form: { real_name: "x" },
        status: 422,
        unchanged: true,
      },
      {
        name: "HTML name",
        method: "POST",
        path: "/profiles",
        form: { name: "<b>Bold</b>" },
        status: 200,
        hasNot: /<b>Bold/,
      },
      {
        name: "unknown id",
        method: "POST",
        path: "/profiles/9999/select",
        status: 404,
        unchanged: true,
      },
    ]);
    const acme = profiles().find((p) => p.name === "Acme")!;
    const select = await app.post(`/profiles/${acme.id}/select`, {});
    assert.equal(select.status, 204);
    assert.equal(select.headers.get("hx-refresh"), "true");
    assert.equal(rt.services().profiles.current().name, "Acme");
    await app.post("/tasks", { name: "Acme task" });
    assert.match(
      await (await app.request("/")).text(),
      /<strong>Acme<\/strong>/,
      "the nav shows the current profile",
    );
    // Rename the current profile: the nav follows.
    await app.post(`/profiles/${acme.id}`, {
      name: "Acme Ltd",
      real_name: "",
      address: "",
      code: "",
    });
    assert.equal(rt.services().profiles.current().name, "Acme Ltd");
    // Tasks are per profile.
    rt.services().profiles.select(def.id);
    assert.doesNotMatch(await (await app.request("/tasks")).text(), /Acme task/);
    // Deleting a profile with records asks first and changes nothing.
    const before = dump(rt.db());
    const refused = await app.request(`/profiles/${acme.id}`, { method: "DELETE", htmx: true });
    assert.equal(refused.status, 409);
    assert.match(await refused.text(), /still has records \(1 in Tasks\)/);
    assert.equal(dump(rt.db()), before);
    const cascade = await app.request(`/profiles/${acme.id}?cascade=1`, {
      method: "DELETE",
      htmx: true,
    });
    assert.equal(cascade.status, 200);
    assert.equal(profiles().some((p) => p.id === acme.id), false);
    assert.equal(
      (rt.db().prepare("SELECT COUNT(*) AS n FROM tasks WHERE profile_id = ?").get(acme.id) as {
        n: number;
      }).n,
      0,
    );
    // The last profile cannot go.
    const bold = profiles().find((p) => p.name === "<b>Bold</b>")!;
    await app.request(`/profiles/${bold.id}`, { method: "DELETE", htmx: true });
    const last = await app.request(`/profiles/${def.id}`, { method: "DELETE", htmx: true });
    assert.equal(last.status, 409);
    assert.match(await last.text(), /at least one profile/);
  } finally {
    app.close();
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
    const menu = page.slice(
      page.indexOf('<nav id="app-menu"'),
      page.indexOf("</nav>", page.indexOf('<nav id="app-menu"')),
    );
    assert.doesNotMatch(menu, /Tutorial|Hello/);
    assert.match(page, /<dialog id="app-search".*href="\/hello"/s);
  } finally {
    app.close();
  }
});

Deno.test("every change publishes a live event for other pages and is logged with before and after", async () => {
  const lines: string[] = [];
  const { createLogger } = await import("@/lib/log.ts");
  const app = testApp({
    log: createLogger({ level: "debug", sink: (_l, line) => lines.push(line) }),
  });
  try {
    const events: string[] = [];
    app.runtime.deps().live.subscribe((m) => events.push(m.event));
    await app.post("/tasks", { name: "One" });
    const id = tasks(app)[0]!.id;
    await app.post(`/tasks/${id}/toggle`, {});
    await app.request(`/tasks/${id}`, { method: "DELETE", htmx: true });
    assert.deepEqual(events, ["tasks:changed", "tasks:changed", "tasks:changed"]);
    assert.ok(
      lines.some((l) =>
        /DEBUG.*\[cardflow:crud\] toggle tasks \d+ by ui .*"before".*"after"/.test(l)
      ),
      lines.join("\n"),
    );
  } finally {
    app.close();
  }
});

Deno.test("a CRUD app's custom row hook renders its details, escaped", async () => {
  const app = testApp();
  try {
    await app.post("/profiles", { name: "Acme", real_name: "Acme <Corp>" });
    const html = await (await app.request("/profiles/list", { htmx: true })).text();
    assert.match(html, /<span class="muted">Acme &lt;Corp&gt;<\/span>/);
    assert.doesNotMatch(html, /real name: /, "the hook replaces the generic details");
  } finally {
    app.close();
  }
});
