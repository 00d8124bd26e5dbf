/**
 * Finding records: search as you type over the text fields (an FTS5 index
 * kept in step by triggers), filters from the field types, ordering by a
 * column, pages, and the list's place kept in the URL.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  EVERYTHING,
  type ListQuery,
  matchExpression,
  parseQuery,
  queryString,
} from "@/pipeline/crud/query.ts";
import { dump, type TestApp, testApp } from "./helpers/app.ts";
import { defineThings } from "./helpers/crud.ts";

function tasksOf(app: TestApp) {
  return app.runtime.services().crud.get("tasks");
}

function names(app: TestApp, query: Partial<ListQuery>): string[] {
  return tasksOf(app).find({ ...EVERYTHING, ...query }).records.map((r) => String(r.name));
}

function seed(app: TestApp): void {
  const tasks = tasksOf(app);
  const rows: Record<string, unknown>[] = [
    { name: "Buy milk", tags: "home, errands", due: "2026-03-01", priority: "high" },
    { name: "Café crème with Ada", notes: "Talk about the engine", due: "2026-04-15" },
    { name: "Write the report", tags: "work", priority: "low", hours: "3" },
    { name: "Walk the dog", due: "2026-03-20" },
    { name: "Read: Notes on the analytical engine", tags: ["reading"] },
  ];
  for (const row of rows) tasks.insert(row, "ui");
  tasks.toggle(tasks.list()[3]!.id as number, "ui");
}

Deno.test("search finds words by their beginning in every text field, accents and case aside", () => {
  const app = testApp();
  try {
    seed(app);
    assert.deepEqual(names(app, { q: "mil" }), ["Buy milk"]);
    assert.deepEqual(names(app, { q: "cafe CREME" }), ["Café crème with Ada"]);
    assert.deepEqual(names(app, { q: "engine" }), [
      "Café crème with Ada",
      "Read: Notes on the analytical engine",
    ], "the notes (a textarea) are searched too");
    assert.deepEqual(names(app, { q: "errands" }), ["Buy milk"], "tags are searched");
    assert.deepEqual(names(app, { q: "milk report" }), [], "every word must match");
    assert.deepEqual(names(app, { q: '"' }), [], "a quote alone matches nothing");
    assert.deepEqual(names(app, { q: 'NEAR( "x" AND' }), [], "FTS syntax is read as words");
    assert.deepEqual(names(app, { q: "ilk" }), [], "words match from their beginning");
  } finally {
    app.close();
  }
});

Deno.test("the index follows every change, its undo, and stays sound", () => {
  const app = testApp();
  try {
    seed(app);
    const tasks = tasksOf(app);
    const milk = tasks.list()[0]!.id as number;
    const renamed = tasks.update(milk, { name: "Buy oat drink" }, "ui");
    assert.deepEqual(names(app, { q: "milk" }), []);
    assert.deepEqual(names(app, { q: "oat" }), ["Buy oat drink"]);
    tasks.execute(renamed.undo!, "ui");
    assert.deepEqual(names(app, { q: "milk" }), ["Buy milk"]);
    const deleted = tasks.delete(milk, "ui");
    assert.deepEqual(names(app, { q: "milk" }), []);
    tasks.execute(deleted.undo!, "ui");
    assert.deepEqual(names(app, { q: "milk" }), ["Buy milk"]);
    const db = app.runtime.db();
    db.exec("INSERT INTO tasks_search(tasks_search) VALUES ('integrity-check')");
  } finally {
    app.close();
  }
});

Deno.test("another profile's records are never found", () => {
  const app = testApp();
  try {
    seed(app);
    app.runtime.db().prepare(
      "INSERT INTO tasks (name, done, priority, tags, position, profile_id) VALUES ('Secret milk', 0, 'normal', '[]', 1, 999)",
    ).run();
    assert.deepEqual(names(app, { q: "milk" }), ["Buy milk"]);
    assert.equal(tasksOf(app).ids({ ...EVERYTHING, q: "secret" }).length, 0);
  } finally {
    app.close();
  }
});

Deno.test("filters from the field types: done or not, a select's values, a date range, a tag", () => {
  const app = testApp();
  try {
    seed(app);
    const q = (s: string) => parseQuery(tasksOf(app).definition, new URLSearchParams(s));
    assert.deepEqual(names(app, q("done=yes")), ["Walk the dog"]);
    assert.equal(names(app, q("done=no")).length, 4);
    assert.deepEqual(names(app, q("priority=high&priority=low")), [
      "Buy milk",
      "Write the report",
    ]);
    assert.deepEqual(names(app, q("due.from=2026-03-01&due.to=2026-03-31")), [
      "Buy milk",
      "Walk the dog",
    ]);
    assert.deepEqual(names(app, q("due.from=2026-04-01")), ["Café crème with Ada"]);
    assert.deepEqual(names(app, q("tags=HOME")), ["Buy milk"]);
    assert.deepEqual(names(app, q("q=the&done=no")), [
      "Café crème with Ada",
      "Write the report",
      "Read: Notes on the analytical engine",
    ]);
    assert.deepEqual(names(app, q("priority=nonsense&due.from=yesterday")).length, 5);
  } finally {
    app.close();
  }
});

Deno.test("ordering by a column: empty values last, manual order otherwise", () => {
  const app = testApp();
  try {
    seed(app);
    const q = (s: string) => parseQuery(tasksOf(app).definition, new URLSearchParams(s));
    assert.deepEqual(names(app, q("sort=due")), [
      "Buy milk",
      "Walk the dog",
      "Café crème with Ada",
      "Write the report",
      "Read: Notes on the analytical engine",
    ]);
    assert.deepEqual(names(app, q("sort=-name")).slice(0, 2), ["Write the report", "Walk the dog"]);
    assert.deepEqual(names(app, q("sort=-hours"))[0], "Write the report");
    assert.deepEqual(names(app, q("sort=nonsense"))[0], "Buy milk", "an unknown column is ignored");
  } finally {
    app.close();
  }
});

Deno.test("a query survives the trip through the URL unchanged", () => {
  const definition = defineThings([
    { name: "name", type: "text" },
    { name: "done", type: "bool" },
    { name: "kind", type: "select", options: ["a", "b", "c d"] },
    { name: "due", type: "date" },
    { name: "labels", type: "tags" },
  ]);
  fc.assert(
    fc.property(
      fc.string({ maxLength: 30 }),
      fc.constantFrom("", "yes", "no"),
      fc.subarray(["a", "b", "c d"]),
      fc.constantFrom("", "2026-01-01", "2026-02-30"),
      fc.constantFrom("", "name", "-due", "kind", "bogus"),
      (q, done, kinds, from, sort) => {
        const params = new URLSearchParams();
        params.set("q", q);
        if (done) params.set("done", done);
        for (const k of kinds) params.append("kind", k);
        if (from) params.set("due.from", from);
        if (sort) params.set("sort", sort);
        const query = parseQuery(definition, params);
        const again = parseQuery(definition, new URLSearchParams(queryString(definition, query)));
        assert.deepEqual(again, query);
      },
    ),
  );
  assert.equal(matchExpression('milk "oat'), '"milk"* AND """oat"*');
});

Deno.test("the list page keeps its place in the URL, and a GET changes nothing", async () => {
  const app = testApp();
  try {
    seed(app);
    const before = dump(app.runtime.db());
    const page = await (await app.request("/tasks?q=wal&done=yes&sort=-name")).text();
    assert.match(page, /value="wal"/);
    assert.match(page, /<option value="yes" selected>done<\/option>/);
    assert.match(page, /<option value="-name" selected>name, Z–A<\/option>/);
    assert.match(page, /Walk the dog/);
    assert.doesNotMatch(page, /Buy milk/);
    assert.match(page, /1 record matches/);
    const fragment = await app.request("/tasks/list?q=mil", { htmx: true });
    assert.equal(fragment.headers.get("hx-replace-url"), "/tasks?q=mil");
    assert.match(await fragment.text(), /Buy milk/);
    for (const path of ["/tasks/list?q=x", "/tasks/more?offset=1", "/tasks/export.csv"]) {
      assert.equal((await app.request(path, { htmx: true })).status, 200, path);
    }
    assert.equal(dump(app.runtime.db()), before, "GETs changed the data");
  } finally {
    app.close();
  }
});

Deno.test("a long list is drawn a page at a time, and Show more appends the next page", async () => {
  const app = testApp();
  try {
    const tasks = tasksOf(app);
    tasks.insertMany(Array.from({ length: 230 }, (_, i) => ({ name: `task ${i}` })), "ui");
    const page = await (await app.request("/tasks")).text();
    assert.equal(page.match(/<li id="tasks-\d+" class="row/g)?.length, 100);
    assert.match(page, /Show 100 more \(of 130\)/);
    const more = await (await app.request("/tasks/more?offset=200", { htmx: true })).text();
    assert.equal(more.match(/<li id="tasks-\d+" class="row/g)?.length, 30);
    assert.doesNotMatch(more, /Show \d+ more/);
    // A redraw keeps as many rows as the page shows.
    const redraw = await (await app.request("/tasks/list?shown=150", { htmx: true })).text();
    assert.equal(redraw.match(/<li id="tasks-\d+" class="row/g)?.length, 150);
  } finally {
    app.close();
  }
});

Deno.test("↑ and ↓ move a row among the rows shown, and undo puts it back", async () => {
  const app = testApp();
  try {
    seed(app);
    const tasks = tasksOf(app);
    const order = () => tasks.list().map((r) => String(r.name));
    const start = order();
    const report = tasks.list().find((r) => r.name === "Write the report")!.id as number;
    // Among the tasks not done, the one above "Write the report" is "Café crème with Ada".
    const moved = await app.post(`/tasks/${report}/move?by=-1`, { done: "no", shown: "100" });
    assert.equal(moved.status, 200);
    const html = await moved.text();
    assert.match(html, /id="tasks-results"/);
    assert.match(html, /data-undo/);
    assert.deepEqual(order(), [start[0], start[2], start[1], start[3], start[4]]);
    const token = html.match(/\/tasks\/undo\/([A-Za-z0-9_-]{22})/)![1];
    assert.equal((await app.post(`/tasks/undo/${token}`, {})).status, 200);
    assert.deepEqual(order(), start);
    // The top row cannot go higher: nothing changes.
    const top = tasks.list()[0]!.id as number;
    const before = dump(app.runtime.db());
    await app.post(`/tasks/${top}/move?by=-1`, {});
    assert.equal(dump(app.runtime.db()), before);
  } finally {
    app.close();
  }
});

Deno.test("reorder puts some rows in a new order among the places they held", () => {
  const app = testApp();
  try {
    seed(app);
    const tasks = tasksOf(app);
    const ids = tasks.list().map((r) => r.id as number);
    const outcome = tasks.reorder([ids[3]!, ids[1]!], "ui");
    assert.deepEqual(tasks.list().map((r) => r.id), [ids[0], ids[3], ids[2], ids[1], ids[4]]);
    tasks.execute(outcome.undo!, "ui");
    assert.deepEqual(tasks.list().map((r) => r.id), ids);
    assert.throws(() => tasks.reorder([ids[0]!], "ui"), /two or more/);
    assert.throws(
      () =>
        app.runtime.services().crud.execute({ app: "tasks", action: "reorder", order: ids }, "llm"),
      /not an operation/,
    );
  } finally {
    app.close();
  }
});
