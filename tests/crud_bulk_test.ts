/**
 * Changes to many records at once (toggle, delete, move to another profile,
 * all matching a search) and Undo from the page: each change one
 * transaction and one undo, kept on the server under a token the page sends
 * back — never an operation from the browser.
 */
import assert from "node:assert/strict";
import { UNDO_KEEP, UNDO_TTL_MS } from "@/services/undo.ts";
import { createUndo } from "@/services/undo.ts";
import { dump, type TestApp, testApp } from "./helpers/app.ts";

function tasks(app: TestApp) {
  return app.runtime.services().crud.get("tasks");
}

function ids(app: TestApp): number[] {
  return tasks(app).list().map((r) => r.id as number);
}

function tokenIn(html: string): string {
  const token = html.match(/\/tasks\/undo\/([A-Za-z0-9_-]{22})/)?.[1];
  assert.ok(token, `no Undo in ${html.slice(0, 300)}`);
  return token;
}

async function seeded(n: number): Promise<TestApp> {
  const app = testApp();
  tasks(app).insertMany(Array.from({ length: n }, (_, i) => ({ name: `task ${i}` })), "ui");
  await Promise.resolve();
  return app;
}

Deno.test("bulk toggle, delete and move to profile: one transaction, one event, one undo each", async () => {
  const app = await seeded(6);
  try {
    const events: string[] = [];
    app.runtime.deps().live.subscribe((m) => events.push(m.event));
    const profiles = app.runtime.services().crud.get("profiles");
    const other = profiles.insert({ name: "Acme" }, "ui").record!.id as number;
    events.length = 0;
    const [a, b, c] = ids(app);
    const cases: [Record<string, string | string[]>, RegExp][] = [
      [{ change: "on", ids: [String(a), String(b)] }, /marked 2 records as done/],
      [{ change: "delete", ids: [String(a), String(c)] }, /deleted 2 records/],
      [{ change: "transfer", ids: [String(b), String(c)], profile: String(other) }, /Moved 2/],
    ];
    for (const [form, message] of cases) {
      const before = dump(app.runtime.db());
      events.length = 0;
      const res = await app.post("/tasks/bulk", form);
      const html = await res.text();
      assert.equal(res.status, 200, html);
      assert.match(html, message);
      assert.notEqual(dump(app.runtime.db()), before, `${form.change} changed nothing`);
      assert.deepEqual(events, ["tasks:changed"], "announced once");
      const undone = await app.post(`/tasks/undo/${tokenIn(html)}`, {});
      assert.equal(undone.status, 200);
      assert.match(await undone.text(), /Undone: /);
      assert.equal(dump(app.runtime.db()), before, `undo of ${form.change} did not restore`);
    }
  } finally {
    app.close();
  }
});

Deno.test("select all matching acts on every record the search finds, loaded or not", async () => {
  const app = await seeded(250);
  try {
    tasks(app).insert({ name: "something else" }, "ui");
    const res = await app.post("/tasks/bulk", { change: "on", all: "1", query: "q=task" });
    assert.match(await res.text(), /marked 250 records as done/);
    assert.equal(tasks(app).list().filter((r) => r.done).length, 250);
    assert.equal(tasks(app).list().find((r) => r.name === "something else")!.done, false);
  } finally {
    app.close();
  }
});

Deno.test("bulk changes refuse what is not theirs and change nothing", async () => {
  const app = await seeded(2);
  try {
    const foreign = (app.runtime.db().prepare(
      "INSERT INTO tasks (name, done, priority, tags, position, profile_id) VALUES ('Theirs', 0, 'normal', '[]', 1, 999) RETURNING id",
    ).get() as { id: number }).id;
    const [a] = ids(app);
    const cases: [Record<string, string | string[]>, number, RegExp][] = [
      [{ change: "delete", ids: [String(a), String(foreign)] }, 404, /no record/],
      [{ change: "on", ids: [] }, 422, /select some records/],
      [{ change: "explode", ids: [String(a)] }, 422, /not a change/],
      [{ change: "transfer", ids: [String(a)], profile: "4242" }, 422, /no profile #4242/],
      [{ change: "on", ids: ["x"] }, 422, /select some records/],
    ];
    for (const [form, status, message] of cases) {
      const before = dump(app.runtime.db());
      const res = await app.post("/tasks/bulk", form);
      assert.equal(res.status, status, JSON.stringify(form));
      assert.match(await res.text(), message);
      assert.equal(dump(app.runtime.db()), before, JSON.stringify(form));
    }
  } finally {
    app.close();
  }
});

Deno.test("every change on the page answers with an Undo, and each undo restores the table", async () => {
  const app = testApp();
  try {
    const steps: [string, () => Promise<Response>][] = [
      ["add", () => app.post("/tasks", { name: "Buy milk" })],
      ["add another", () => app.post("/tasks", { name: "Walk" })],
      ["edit", () => app.post(`/tasks/${ids(app)[0]}`, { name: "Buy oat milk", tags: "home" })],
      ["toggle", () => app.post(`/tasks/${ids(app)[0]}/toggle`, {})],
      ["move", () => app.post(`/tasks/${ids(app)[1]}/move?by=-1`, {})],
      ["reorder", () => app.post("/tasks/reorder", { order: [...ids(app)].reverse().join(",") })],
      ["delete", () => app.request(`/tasks/${ids(app)[0]}`, { method: "DELETE", htmx: true })],
    ];
    for (const [name, step] of steps) {
      const before = dump(app.runtime.db());
      const res = await step();
      const html = await res.text();
      assert.equal(res.status, 200, `${name}: ${html.slice(0, 200)}`);
      const after = dump(app.runtime.db());
      assert.notEqual(after, before, `${name} changed nothing`);
      const token = tokenIn(html);
      assert.equal((await app.post(`/tasks/undo/${token}`, {})).status, 200, name);
      assert.equal(dump(app.runtime.db()), before, `undo of ${name}`);
      // Redo the step so the next one has something to work on.
      if (name !== "delete") await step();
    }
  } finally {
    app.close();
  }
});

Deno.test("an undo token works once, only as a token, only in its profile, and not forever", async () => {
  let now = 1_000_000;
  const app = testApp();
  try {
    const services = app.runtime.services();
    const undo = createUndo({
      crud: () => services.crud,
      profileId: () => services.profiles.current().id,
      now: () => now,
    });
    const added = tasks(app).insert({ name: "One" }, "ui");
    const token = undo.keep(added.undo!, added.message);
    assert.match(token, /^[A-Za-z0-9_-]{22}$/);
    undo.run(token);
    assert.throws(() => undo.run(token), /can no longer be undone/);

    const again = tasks(app).insert({ name: "Two" }, "ui");
    const late = undo.keep(again.undo!, again.message);
    now += UNDO_TTL_MS + 1;
    assert.throws(() => undo.run(late), /can no longer be undone/);

    // Through HTTP: a made-up token, an operation in the body, a token of another profile.
    const before = dump(app.runtime.db());
    for (
      const path of ["/tasks/undo/AAAAAAAAAAAAAAAAAAAAAA", "/tasks/undo/../../x", "/tasks/undo/"]
    ) {
      const res = await app.post(path, { op: '{"app":"tasks","action":"delete","id":1}' });
      assert.ok([404].includes(res.status), `${path}: ${res.status}`);
    }
    assert.equal(dump(app.runtime.db()), before);
    const third = await app.post("/tasks", { name: "Three" });
    const other = services.crud.get("profiles").insert({ name: "Acme" }, "ui").record!;
    services.profiles.select(other.id as number);
    const refused = await app.post(`/tasks/undo/${tokenIn(await third.text())}`, {});
    assert.equal(refused.status, 409);
    assert.match(await refused.text(), /another profile/);
  } finally {
    app.close();
  }
});

Deno.test("the undo table stays bounded", async () => {
  const app = testApp();
  try {
    for (let i = 0; i < UNDO_KEEP + 25; i++) await app.post("/tasks", { name: `t${i}` });
    assert.equal(app.runtime.services().undo.size(), UNDO_KEEP);
  } finally {
    app.close();
  }
});

Deno.test("the assistant cannot run a batch, a transfer or a reorder", () => {
  const app = testApp();
  try {
    const crud = app.runtime.services().crud;
    for (const action of ["batch", "transfer", "reorder"] as const) {
      assert.throws(
        () => crud.execute({ app: "tasks", action, ops: [], ids: [1], profile: 1 }, "llm"),
        /not an operation/,
        action,
      );
    }
  } finally {
    app.close();
  }
});
