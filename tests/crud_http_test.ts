/**
 * Tasks over HTTP: every operation's happy path and bad inputs as a table of
 * scenarios, and the live event and log line each change makes.
 */
import assert from "node:assert/strict";
import { type TestApp, testApp } from "./helpers/app.ts";
import { runScenarios } from "./helpers/scenarios.ts";

function tasks(
  app: TestApp,
): { id: number; name: string; done: number; position: number; profile_id: number }[] {
  return app.runtime.db().prepare("SELECT * FROM tasks ORDER BY position").all() as never;
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
