import assert from "node:assert/strict";
import type { CrudOperation } from "@/services/events.ts";
import { NotFoundError, ValidationError } from "@/lib/table.ts";
import { dump, testApp } from "./helpers/app.ts";

Deno.test("the CRUD port describes the apps the assistant may use, from their definitions", () => {
  const app = testApp();
  try {
    const apps = app.runtime.services().crud.assistantApps();
    assert.deepEqual(
      apps.map((a) => a.slug),
      ["tasks"],
      "profiles and roles are not offered to the assistant",
    );
    const tasks = apps[0]!;
    assert.equal(tasks.toggle, "done");
    assert.equal(tasks.scoped, true);
    assert.deepEqual(tasks.fields.map((f) => [f.name, f.type, f.required]), [
      ["name", "text", true],
      ["done", "bool", false],
      ["priority", "select", false],
      ["due", "date", false],
      ["tags", "tags", false],
      ["hours", "number", false],
      ["notes", "textarea", false],
    ]);
    assert.deepEqual(tasks.fields.find((f) => f.name === "priority")!.options, [
      "low",
      "normal",
      "high",
    ]);
  } finally {
    app.close();
  }
});

Deno.test("each operation through the port changes the table, and its undo restores it", () => {
  const app = testApp();
  try {
    const crud = app.runtime.services().crud;
    const run = (op: CrudOperation) => crud.execute(op, "llm");
    // Undo runs as the person's action (the chat's Undo button), never as the model's.
    const undo = (op: CrudOperation) => crud.execute(op, "ui");
    const start = dump(app.runtime.db());
    const added = run({ app: "tasks", action: "insert", values: { name: "Buy milk" } });
    assert.match(added.message, /Added tasks "Buy milk" \(#\d+\)/);
    const id = added.record!.id as number;
    const second = run({ app: "tasks", action: "insert", values: { name: "Walk", done: true } });
    const ops: CrudOperation[] = [
      { app: "tasks", action: "toggle", id },
      { app: "tasks", action: "update", id, values: { name: "Buy oat milk" } },
      { app: "tasks", action: "sort", order: [second.record!.id as number, id] },
      { app: "tasks", action: "delete", id },
    ];
    for (const op of ops) {
      const before = dump(app.runtime.db());
      const outcome = run(op);
      assert.notEqual(dump(app.runtime.db()), before, `${op.action} changed nothing`);
      undo(outcome.undo!);
      assert.equal(
        dump(app.runtime.db()),
        before,
        `undo of ${op.action} did not restore the table`,
      );
    }
    assert.equal(run({ app: "tasks", action: "list" }).records!.length, 2);
    undo(second.undo!);
    undo(added.undo!);
    assert.equal(dump(app.runtime.db()), start);
  } finally {
    app.close();
  }
});

Deno.test("invalid operations are refused with an explanation and change nothing", () => {
  const app = testApp();
  try {
    const rt = app.runtime;
    const mine = rt.services().crud.execute(
      { app: "tasks", action: "insert", values: { name: "Mine" } },
      "llm",
    ).record!.id as number;
    const foreign = (rt.db().prepare(
      "INSERT INTO tasks (name, done, position, profile_id) VALUES ('Theirs', 0, 1, 999) RETURNING id",
    ).get() as { id: number }).id;
    const cases: [unknown, new (...a: never[]) => Error, RegExp][] = [
      [{ app: "nope", action: "list" }, ValidationError, /no app called "nope"/],
      [{ app: "profiles", action: "list" }, ValidationError, /no app called "profiles"/],
      [{ app: "tasks", action: "drop" }, ValidationError, /is not an operation/],
      [
        { app: "tasks", action: "insert", values: { title: "x" } },
        ValidationError,
        /no field "title"/,
      ],
      [{ app: "tasks", action: "insert", values: { name: 42 } }, ValidationError, /must be text/],
      [
        { app: "tasks", action: "insert", values: { name: "x", done: "yes" } },
        ValidationError,
        /true or false/,
      ],
      [{ app: "tasks", action: "insert", values: {} }, ValidationError, /name is required/],
      [{ app: "tasks", action: "insert", values: "name=x" }, ValidationError, /must be an object/],
      [
        { app: "tasks", action: "update", id: foreign, values: { name: "pwned" } },
        NotFoundError,
        /no record/,
      ],
      [{ app: "tasks", action: "delete", id: foreign }, NotFoundError, /no record/],
      [{ app: "tasks", action: "toggle", id: "1" }, NotFoundError, /no record/],
      [
        { app: "tasks", action: "update", id: mine, values: {} },
        ValidationError,
        /nothing to change/,
      ],
      [{ app: "tasks", action: "sort", order: [mine, foreign] }, ValidationError, /exactly once/],
      [null, ValidationError, /no app/],
    ];
    for (const [op, kind, pattern] of cases) {
      const before = dump(rt.db());
      assert.throws(() => rt.services().crud.execute(op as CrudOperation, "llm"), (e: unknown) => {
        assert.ok(e instanceof kind, `${JSON.stringify(op)} → ${e}`);
        assert.match((e as Error).message, pattern);
        return true;
      });
      assert.equal(dump(rt.db()), before, `${JSON.stringify(op)} changed data`);
    }
  } finally {
    app.close();
  }
});
