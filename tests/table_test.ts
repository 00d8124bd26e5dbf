import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { closeDatabase, openDatabase, transaction } from "@/lib/db.ts";
import { defineTable, NotFoundError, SchemaError, ValidationError } from "@/lib/table.ts";

const TASKS = {
  id: "int",
  name: "text",
  done: "bool",
  priority: "int",
  profile_id: "int?",
  meta: "json?",
} as const;

async function withFile(fn: (path: string) => void | Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "cardflow-table-" });
  try {
    await fn(`${dir}/test.db`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function fails(fn: () => unknown, kind: new (...a: never[]) => Error, pattern: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof kind, `expected ${kind.name}, got ${error}`);
    assert.match((error as Error).message, pattern);
    return true;
  });
}

Deno.test("insert, get, update, upsert, delete and list work on a real SQLite file", () =>
  withFile((path) => {
    const db = openDatabase(path);
    const tasks = defineTable(db, "tasks", TASKS, { pk: "id" });
    const milk = tasks.insert({ name: "Buy milk", done: false, priority: 2 });
    assert.deepEqual(milk, {
      id: 1,
      name: "Buy milk",
      done: false,
      priority: 2,
      profile_id: null,
      meta: null,
    });
    tasks.insert({ name: "Walk", done: true, priority: 1, profile_id: 7, meta: { tags: ["a"] } });
    tasks.insert({ name: "Read", done: false, priority: 3, profile_id: 7 });
    assert.deepEqual(tasks.update(1, { done: true }).done, true);
    assert.deepEqual(tasks.get(2).meta, { tags: ["a"] });
    assert.deepEqual(tasks.list({ order: "priority" }).map((t) => t.name), [
      "Walk",
      "Buy milk",
      "Read",
    ]);
    assert.deepEqual(tasks.list({ order: "-priority", limit: 2 }).map((t) => t.name), [
      "Read",
      "Buy milk",
    ]);
    assert.deepEqual(tasks.list({ order: "id", offset: 2 }).map((t) => t.name), ["Read"]);
    assert.deepEqual(tasks.list({ where: { profile_id: 7, done: false } }).map((t) => t.name), [
      "Read",
    ]);
    assert.deepEqual(tasks.list({ where: { profile_id: null } }).map((t) => t.name), ["Buy milk"]);
    assert.equal(tasks.count({ profile_id: 7 }), 2);
    tasks.upsert({ id: 3, name: "Read a book", done: false, priority: 3 });
    assert.equal(tasks.get(3).name, "Read a book");
    tasks.upsert({ id: 10, name: "New", done: false, priority: 9 });
    assert.equal(tasks.get(10).name, "New");
    tasks.delete(2);
    assert.equal(tasks.find(2), undefined);
    assert.equal(tasks.count(), 3);
    closeDatabase(db);
  }));

Deno.test("booleans round-trip as booleans and JSON as values", () => {
  const db = openDatabase(":memory:");
  const t = defineTable(db, "t", { k: "text", flag: "bool", data: "json" }, { pk: "k" });
  t.insert({ k: "a", flag: true, data: { n: 1, list: [1, "two", null] } });
  const row = t.get("a");
  assert.equal(row.flag, true);
  assert.equal(typeof row.flag, "boolean");
  assert.deepEqual(row.data, { n: 1, list: [1, "two", null] });
  db.close();
});

Deno.test("a missing key is a NotFoundError on get, update and delete", () => {
  const db = openDatabase(":memory:");
  const tasks = defineTable(db, "tasks", TASKS, { pk: "id" });
  fails(() => tasks.get(42), NotFoundError, /tasks: no record with key 42/);
  fails(() => tasks.update(42, { done: true }), NotFoundError, /tasks/);
  fails(() => tasks.delete(42), NotFoundError, /tasks/);
  db.close();
});

Deno.test("bad input gets an error naming the table and column", () => {
  const db = openDatabase(":memory:");
  const tasks = defineTable(db, "tasks", TASKS, { pk: "id" });
  const ok = { name: "x", done: false, priority: 1 };
  fails(
    () => tasks.insert({ ...ok, colour: "red" } as never),
    ValidationError,
    /tasks: unknown column "colour"/,
  );
  fails(
    () => tasks.insert({ ...ok, priority: "abc" } as never),
    ValidationError,
    /tasks\.priority must be a whole number/,
  );
  fails(() => tasks.insert({ ...ok, priority: 1.5 }), ValidationError, /tasks\.priority/);
  fails(() => tasks.insert({ ...ok, priority: Infinity }), ValidationError, /tasks\.priority/);
  fails(
    () => tasks.insert({ ...ok, done: "yes" } as never),
    ValidationError,
    /tasks\.done must be true or false/,
  );
  fails(
    () => tasks.insert({ done: false, priority: 1 }),
    ValidationError,
    /tasks\.name is required/,
  );
  fails(
    () => tasks.insert({ ...ok, name: null } as never),
    ValidationError,
    /tasks\.name is required/,
  );
  fails(
    () => tasks.insert({ ...ok, meta: 10n } as never),
    ValidationError,
    /tasks\.meta must be JSON-serialisable/,
  );
  tasks.insert(ok);
  fails(() => tasks.update(1, { bogus: 1 } as never), ValidationError, /unknown column "bogus"/);
  fails(() => tasks.update(1, { id: 5 }), ValidationError, /primary key "id" cannot change/);
  fails(
    () => tasks.list({ where: { nope: 1 } as never }),
    ValidationError,
    /unknown column "nope"/,
  );
  fails(() => tasks.list({ order: "name; DROP TABLE tasks" }), ValidationError, /unknown column/);
  fails(() => tasks.list({ limit: -1 }), ValidationError, /limit must be a whole number/);
  assert.equal(tasks.count(), 1, "nothing was written by the refused calls");
  db.close();
});

Deno.test("SQL-significant characters in table and column names are refused", () => {
  const db = openDatabase(":memory:");
  fails(
    () => defineTable(db, "tasks; DROP", { id: "int" }, { pk: "id" }),
    SchemaError,
    /bad table name/,
  );
  fails(
    () => defineTable(db, "t", { id: "int", 'a"b': "text" }, { pk: "id" }),
    SchemaError,
    /bad column name "a\\"b"/,
  );
  fails(
    () => defineTable(db, "t", { id: "int", "x y": "text" }, { pk: "id" }),
    SchemaError,
    /bad column name/,
  );
  fails(
    () => defineTable(db, "t", { id: "int" }, { pk: "nope" as never }),
    SchemaError,
    /primary key "nope"/,
  );
  db.close();
});

Deno.test("values with quotes and SQL are stored verbatim, never executed", () => {
  const db = openDatabase(":memory:");
  const tasks = defineTable(db, "tasks", TASKS, { pk: "id" });
  const evil = `Robert'); DROP TABLE tasks; -- "quoted" ;`;
  const row = tasks.insert({ name: evil, done: false, priority: 1 });
  assert.equal(tasks.get(row.id).name, evil);
  assert.equal(tasks.list({ where: { name: evil } }).length, 1);
  assert.equal(tasks.count(), 1);
  db.close();
});

Deno.test("a grown schema adds its new columns on reopen and old rows keep their data", () =>
  withFile((path) => {
    let db = openDatabase(path);
    defineTable(db, "notes", { id: "int", text: "text" }, { pk: "id" }).insert({ text: "old" });
    closeDatabase(db);
    db = openDatabase(path);
    const notes = defineTable(db, "notes", {
      id: "int",
      text: "text",
      pinned: "bool",
      tag: "text?",
    }, {
      pk: "id",
      defaults: { pinned: false },
    });
    assert.deepEqual(notes.get(1), { id: 1, text: "old", pinned: false, tag: null });
    notes.insert({ text: "new", tag: "x" });
    assert.equal(notes.count(), 2);
    fails(
      () => defineTable(db, "notes", { id: "int", text: "text", rank: "int" }, { pk: "id" }),
      SchemaError,
      /new required column "rank" needs a default/,
    );
    closeDatabase(db);
  }));

Deno.test("a reopened database finds its data, in WAL mode with foreign keys on", () =>
  withFile((path) => {
    const db = openDatabase(path);
    assert.equal(
      (db.prepare("PRAGMA journal_mode").get() as { journal_mode: string }).journal_mode,
      "wal",
    );
    assert.equal(
      (db.prepare("PRAGMA foreign_keys").get() as { foreign_keys: number }).foreign_keys,
      1,
    );
    assert.equal(
      (db.prepare("PRAGMA synchronous").get() as { synchronous: number }).synchronous,
      1,
    );
    defineTable(db, "kv", { k: "text", v: "int" }, { pk: "k" }).insert({ k: "a", v: 1 });
    closeDatabase(db);
    closeDatabase(db);
    const again = openDatabase(path);
    assert.deepEqual(defineTable(again, "kv", { k: "text", v: "int" }, { pk: "k" }).get("a"), {
      k: "a",
      v: 1,
    });
    closeDatabase(again);
  }));

Deno.test("a transaction commits, rolls back on throw, and a nested failure undoes only its part", () =>
  withFile((path) => {
    const db = openDatabase(path);
    const kv = defineTable(db, "kv", { k: "text", v: "int" }, { pk: "k" });
    transaction(db, () => {
      kv.insert({ k: "a", v: 1 });
      kv.insert({ k: "b", v: 2 });
    });
    assert.equal(kv.count(), 2);
    assert.throws(() =>
      transaction(db, () => {
        kv.insert({ k: "c", v: 3 });
        throw new Error("stop");
      }), /stop/);
    assert.equal(kv.find("c"), undefined);
    transaction(db, () => {
      kv.insert({ k: "d", v: 4 });
      assert.throws(() =>
        transaction(db, () => {
          kv.insert({ k: "e", v: 5 });
          throw new Error("inner");
        })
      );
    });
    assert.ok(kv.find("d"));
    assert.equal(kv.find("e"), undefined);
    assert.throws(() => transaction(db, () => Promise.resolve(1)), TypeError);
    assert.equal(db.isTransaction, false);
    // A second connection sees what was committed.
    const other = new DatabaseSync(path);
    assert.equal((other.prepare("SELECT COUNT(*) AS n FROM kv").get() as { n: number }).n, 3);
    other.close();
    closeDatabase(db);
  }));
