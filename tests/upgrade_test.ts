/**
 * Start-up on data an earlier Cardflow wrote (`tests/fixtures/v0.1`), with
 * today's definitions and with definitions changed the ways plugin authors
 * change them: every record kept, new columns filled, old runs continued,
 * and changes that would lose data refused with the plugin file named.
 */
import assert from "node:assert/strict";
import { PluginError } from "@/pipeline/base.ts";
import type { PluginEntry } from "@/pipeline/load.ts";
import { type CrudDefinition, defineCrud } from "@/pipeline/mod.ts";
import { PLUGINS } from "@/plugins/manifest.gen.ts";
import { type TestApp, testApp } from "./helpers/app.ts";

const FIXTURE = new URL("./fixtures/v0.1/", import.meta.url).pathname;

/** A fresh copy of the 0.1 data folder. */
async function oldData(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "cardflow-upgrade-" });
  await Deno.copyFile(`${FIXTURE}cardflow-dev.db`, `${dir}/cardflow-dev.db`);
  return dir;
}

/** Today's plugins with Tasks defined as `change` says. */
function withTasks(change: (tasks: CrudDefinition) => Omit<CrudDefinition, "kind">): PluginEntry[] {
  return PLUGINS.map((entry) => {
    if (entry.file !== "060_tasks.tsx") return entry;
    const tasks = entry.module.default as CrudDefinition;
    return { file: entry.file, module: { default: defineCrud(change(tasks)) } };
  });
}

function rows(app: TestApp, sql: string): Record<string, unknown>[] {
  return app.runtime.db().prepare(sql).all().map((row) => ({ ...row }));
}

Deno.test("today's Cardflow starts on a 0.1 database: every record kept, flat runs upgraded and continued", async () => {
  const dataDir = await oldData();
  const app = testApp({ config: { dataDir } });
  try {
    assert.deepEqual(
      rows(app, "SELECT name, done, profile_id FROM tasks ORDER BY id"),
      [
        { name: "Buy milk", done: 1, profile_id: 1 },
        { name: "Walk the dog", done: 0, profile_id: 1 },
        { name: "Write the report", done: 0, profile_id: 1 },
        { name: "Analytical engine notes", done: 0, profile_id: 2 },
        { name: "Reply to Babbage", done: 0, profile_id: 2 },
      ],
    );
    const states = rows(app, "SELECT key, state FROM pipeline ORDER BY key").map((r) =>
      [r.key, JSON.parse(String(r.state))] as const
    );
    for (const [key, state] of states) {
      assert.equal(state.format, 2, `${key} is in today's format`);
      assert.doesNotMatch(JSON.stringify(state.steps), /"_status"|"_job"/, `${key}: no magic keys`);
    }
    const byKey = Object.fromEntries(states);
    assert.equal(byKey["default-hello-01"].finalized, true);
    assert.deepEqual(byKey["default-showcase-01"].steps.crunch, { rounds: 2, checksum: 33 });
    assert.equal(byKey["default-showcase-01"].jobs.crunch.status, "done");
    assert.equal(
      byKey["default-showcase-02"].jobs.crunch.status,
      "interrupted",
      "a job left running by the old process is marked interrupted",
    );

    // Old runs open and continue.
    const done = await (await app.request("/showcase/run/default-showcase-01/step/crunch", {
      htmx: true,
    })).text();
    assert.match(done, /2 rounds done, checksum 33/);
    assert.doesNotMatch(done, /_status|_progress/);
    const interrupted = await (await app.request(
      "/showcase/run/default-showcase-02/step/crunch",
      { htmx: true },
    )).text();
    assert.match(interrupted, /interrupted/);
    assert.match(interrupted, /Run it again/);
    const version = String(
      rows(app, "SELECT version FROM pipeline WHERE key = 'default-hello-02'")[0]!.version,
    );
    const next = await app.post("/hello/run/default-hello-02/step/step_02", {
      version,
      greeting: "Hello, Grace!",
    });
    assert.equal(next.status, 200, await next.clone().text());
    assert.match(
      await (await app.request("/hello/run/default-hello-02/step/step_02", { htmx: true })).text(),
      /All steps are done/,
    );
    // The profile, the roles and the conversation came through.
    const page = await (await app.request("/")).text();
    assert.match(page, /<strong>Default<\/strong>/);
    const menu = page.match(/<nav\s+id="app-menu"[\s\S]*?<\/nav>/)?.[0] ?? "";
    assert.match(menu, /href="\/hello"/);
    assert.doesNotMatch(menu, /href="\/showcase"/, "Developer was switched off");
    assert.ok(rows(app, "SELECT id FROM chat WHERE content = 'Hello there'").length === 1);
  } finally {
    app.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("a changed Tasks definition: a new required field with a default, a required field made optional, a new optional field", async () => {
  const dataDir = await oldData();
  const app = testApp({
    config: { dataDir },
    plugins: withTasks((tasks) => ({
      ...tasks,
      fields: [
        { name: "name", type: "text", required: false, maxLength: 200 },
        { name: "done", type: "bool" },
        { name: "owner", type: "text", default: "me" },
        { name: "estimate", type: "int", required: false },
      ],
    })),
  });
  try {
    assert.deepEqual(
      rows(app, "SELECT name, owner, estimate FROM tasks ORDER BY id").map((r) => [
        r.name,
        r.owner,
        r.estimate,
      ]),
      [
        ["Buy milk", "me", null],
        ["Walk the dog", "me", null],
        ["Write the report", "me", null],
        ["Analytical engine notes", "me", null],
        ["Reply to Babbage", "me", null],
      ],
      "every record is kept and the new required column has its default",
    );
    const edit = await app.post("/tasks/2", { name: "", owner: "Ada", estimate: "" });
    assert.equal(edit.status, 200, await edit.clone().text());
    assert.deepEqual(rows(app, "SELECT name, owner FROM tasks WHERE id = 2")[0], {
      name: null,
      owner: "Ada",
    }, "saving an empty value of the field made optional works");
    const added = await app.post("/tasks", { name: "New one" });
    assert.equal(added.status, 200);
    assert.equal(rows(app, "SELECT owner FROM tasks WHERE name = 'New one'")[0]!.owner, "me");
  } finally {
    app.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("changes that would lose data stop start-up with the plugin file named and what to do", async () => {
  const cases: [string, (t: CrudDefinition) => Omit<CrudDefinition, "kind">, RegExp][] = [
    [
      "a retyped field",
      (t) => ({
        ...t,
        toggle: undefined,
        fields: [t.fields[0]!, { name: "done", type: "text", required: false }],
      }),
      /plugins\/060_tasks\.tsx: the field "done" was stored as a number and is now a text; changing a field's type needs a migration/,
    ],
    [
      "a removed field that holds data",
      (t) => ({ ...t, toggle: undefined, fields: [t.fields[0]!] }),
      /plugins\/060_tasks\.tsx: the field "done" was removed, but 5 records of tasks still hold a value/,
    ],
    [
      "a new required field without a default",
      (t) => ({ ...t, fields: [...t.fields, { name: "owner", type: "text" }] }),
      /plugins\/060_tasks\.tsx: the new field "owner" is required, but tasks already holds 5 records/,
    ],
  ];
  for (const [name, change, message] of cases) {
    const dataDir = await oldData();
    const before = await Deno.readFile(`${dataDir}/cardflow-dev.db`);
    try {
      assert.throws(
        () => testApp({ config: { dataDir }, plugins: withTasks(change) }),
        (error: unknown) => error instanceof PluginError && message.test(error.message),
        name,
      );
      // Nothing of the table changed: it opens again with today's definition.
      const app = testApp({ config: { dataDir } });
      assert.equal(rows(app, "SELECT COUNT(*) AS n FROM tasks")[0]!.n, 5, name);
      app.close();
      assert.ok(before.length > 0);
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  }
});

Deno.test("a removed field is dropped once the definition says so with migrate.drop", async () => {
  const dataDir = await oldData();
  const app = testApp({
    config: { dataDir },
    plugins: withTasks((t) => ({
      ...t,
      toggle: undefined,
      fields: [t.fields[0]!],
      migrate: { drop: ["done"] },
    })),
  });
  try {
    const columns = rows(app, "PRAGMA table_info(tasks)").map((c) => c.name);
    assert.deepEqual(columns, ["id", "name", "position", "profile_id"]);
    assert.equal(rows(app, "SELECT COUNT(*) AS n FROM tasks")[0]!.n, 5);
  } finally {
    app.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("a seed fills only a table that was just created, not one the person emptied", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "cardflow-seed-" });
  try {
    let app = testApp({ config: { dataDir } });
    const roles = () => rows(app, "SELECT name FROM roles").map((r) => r.name);
    assert.deepEqual(roles(), ["Core", "Tutorial", "Developer"]);
    for (const id of [1, 2, 3]) {
      assert.equal(
        (await app.request(`/roles/${id}`, { method: "DELETE", htmx: true })).status,
        200,
      );
    }
    assert.deepEqual(roles(), []);
    app.close();
    app = testApp({ config: { dataDir } });
    assert.deepEqual(roles(), [], "the defaults do not come back");
    app.close();
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});
