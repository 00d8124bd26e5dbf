import assert from "node:assert/strict";
import { closeDatabase, openDatabase } from "@/lib/db.ts";
import { createLogger } from "@/lib/log.ts";
import { createStore } from "@/lib/store.ts";
import { ValidationError } from "@/lib/table.ts";

Deno.test("the store keeps JSON values by key and answers get, has, delete and keys", () => {
  const db = openDatabase(":memory:");
  const store = createStore(db);
  assert.equal(store.get("theme"), undefined);
  assert.equal(store.get("theme", "light"), "light");
  store.set("theme", "dark");
  store.set("profile", { id: 3, name: "Ada", tags: ["x"] });
  store.set("count", 0);
  store.set("flag", false);
  store.set("nothing", null);
  assert.equal(store.get("theme", "light"), "dark");
  assert.deepEqual(store.get("profile"), { id: 3, name: "Ada", tags: ["x"] });
  assert.equal(store.get("count", 9), 0, "a stored 0 is not replaced by the default");
  assert.equal(store.get("flag", true), false);
  assert.equal(store.get("nothing", "x"), null);
  assert.equal(store.has("theme"), true);
  assert.deepEqual(store.keys(), ["count", "flag", "nothing", "profile", "theme"]);
  assert.equal(store.delete("theme"), true);
  assert.equal(store.delete("theme"), false);
  assert.equal(store.has("theme"), false);
  db.close();
});

Deno.test("store values survive closing and reopening the database", async () => {
  const dir = await Deno.makeTempDir();
  let db = openDatabase(`${dir}/s.db`);
  createStore(db).set("last", { step: 2 });
  closeDatabase(db);
  db = openDatabase(`${dir}/s.db`);
  assert.deepEqual(createStore(db).get("last"), { step: 2 });
  closeDatabase(db);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("bad store keys and undefined values are refused", () => {
  const db = openDatabase(":memory:");
  const store = createStore(db);
  for (const key of ["", "k".repeat(201)]) {
    assert.throws(() => store.set(key, 1), ValidationError);
    assert.throws(() => store.get(key), ValidationError);
  }
  assert.throws(() => store.set("k", undefined), /use delete\(\)/);
  assert.deepEqual(store.keys(), []);
  db.close();
});

Deno.test("every store operation is logged at debug level", () => {
  const lines: string[] = [];
  const log = createLogger({ level: "debug", sink: (_level, line) => lines.push(line) });
  const db = openDatabase(":memory:");
  const store = createStore(db, { log });
  store.set("theme", "dark");
  store.get("theme");
  store.delete("theme");
  assert.ok(lines.some((l) => /DEBUG.*store set theme = "dark"/.test(l)), lines.join("\n"));
  assert.ok(lines.some((l) => /store get theme → "dark"/.test(l)));
  assert.ok(lines.some((l) => /store delete theme/.test(l)));
  db.close();
});

Deno.test("a value read from the store cannot be changed by mutating what get returned", () => {
  const db = openDatabase(":memory:");
  const store = createStore(db);
  store.set("profile", { name: "Ada" });
  const first = store.get<{ name: string }>("profile")!;
  first.name = "Mallory";
  assert.deepEqual(store.get("profile"), { name: "Ada" });
  const value = { n: 1 };
  store.set("obj", value);
  value.n = 2;
  assert.deepEqual(store.get("obj"), { n: 1 });
  db.close();
});
