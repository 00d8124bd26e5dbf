/**
 * Export and import per app: CSV and JSON of what the filter shows (a GET
 * that changes nothing), and imports checked as a whole — a preview, a
 * report by row and field, all or nothing, one undo.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { parseImport, toCsv, toJson } from "@/pipeline/crud/transfer.ts";
import { dump, type TestApp, testApp } from "./helpers/app.ts";
import { defineThings } from "./helpers/crud.ts";

const THINGS = defineThings([
  { name: "name", type: "text" },
  { name: "done", type: "bool" },
  { name: "kind", type: "select", options: ["a", "b"], default: "a" },
  { name: "due", type: "date" },
  { name: "size", type: "number" },
  { name: "notes", type: "textarea" },
  { name: "labels", type: "tags" },
  { name: "home", type: "url" },
]);

function tasks(app: TestApp) {
  return app.runtime.services().crud.get("tasks");
}

async function upload(
  app: TestApp,
  path: string,
  text: string,
  name = "tasks.csv",
): Promise<Response> {
  const body = new FormData();
  body.append("file", new File([text], name, { type: "text/csv" }));
  body.append("text", "");
  return await app.request(path, { method: "POST", body, htmx: true });
}

Deno.test("records survive CSV and JSON round trips, formula-looking text and all", () => {
  const text = fc.string({ maxLength: 40 }).map((s) => s.trim()).filter((s) => s.length > 0);
  const record = fc.record({
    name: fc.oneof(text, fc.constantFrom("=SUM(A1)", "+1", "-2 apples", "@home", 'say "hi", ok')),
    done: fc.boolean(),
    kind: fc.constantFrom("a", "b"),
    due: fc.option(fc.constantFrom("2026-01-31", "2024-02-29"), { nil: null }),
    size: fc.option(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e9, max: 1e9 }), {
      nil: null,
    }),
    notes: fc.option(fc.constantFrom("line one\nline two", "tab\there", "Ça va — ok 😀"), {
      nil: null,
    }),
    labels: fc.uniqueArray(fc.constantFrom("home", "work", "x y"), { maxLength: 3 }),
    home: fc.option(fc.constantFrom("https://example.com/a?b=1", "http://localhost:5001/"), {
      nil: null,
    }),
  });
  fc.assert(
    fc.property(fc.array(record, { minLength: 1, maxLength: 8 }), (records) => {
      for (const [format, out] of [["csv", toCsv], ["json", toJson]] as const) {
        const result = parseImport(THINGS, out(THINGS, records), format);
        assert.deepEqual(result.problems, [], format);
        const normal = records.map((r) => ({ ...r, size: r.size === 0 ? 0 : r.size }));
        assert.deepEqual(result.rows, normal, format);
      }
    }),
    { numRuns: 200 },
  );
  const csv = toCsv(THINGS, [{ name: "=HYPERLINK(1)", labels: [] }]);
  assert.match(csv, /^\uFEFFname,done,kind/);
  assert.match(csv, /\r\n'=HYPERLINK\(1\),/, "a spreadsheet does not run it");
});

Deno.test("a file with problems is reported by row and field, every problem at once", () => {
  const csv = [
    "name,done,kind,due,colour",
    "Fine,true,a,2026-01-01,",
    ",false,a,,",
    "Bad date,maybe,c,2026-02-30,",
  ].join("\r\n");
  const result = parseImport(THINGS, csv);
  assert.deepEqual(
    result.problems.map((p) => [p.row, p.field, p.problem.replace(/ \(fields:.*/, "")]),
    [
      [1, "colour", 'Things has no field "colour"'],
      [3, "name", "name is required."],
      [4, "done", "done must be true or false."],
      [4, "kind", "kind must be one of: a, b."],
      [4, "due", "due must be a date like 2026-11-24."],
    ],
  );
  assert.match(parseImport(THINGS, "{nope", "json").problems[0]!.problem, /not valid JSON/);
  assert.match(parseImport(THINGS, '{"a":1}', "json").problems[0]!.problem, /list of records/);
  assert.match(parseImport(THINGS, "name\r\n").problems[0]!.problem, /no records/);
  assert.deepEqual(
    parseImport(THINGS, '[{"Name": "Label case", "id": 7, "labels": ["x"]}]').rows[0]!.labels,
    ["x"],
    "columns may be labels in any case; ids are ignored",
  );
});

Deno.test("export gives what the filter shows as CSV or JSON, and changes nothing", async () => {
  const app = testApp();
  try {
    tasks(app).insertMany([
      { name: "Buy milk", tags: "home", due: "2026-01-02" },
      { name: "Write report", done: true, priority: "high" },
      { name: "Walk", notes: "around\nthe park" },
    ], "ui");
    const before = dump(app.runtime.db());
    const csv = await app.request("/tasks/export.csv?done=no&sort=-name");
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get("content-type")!, /text\/csv/);
    assert.match(
      csv.headers.get("content-disposition")!,
      /attachment; filename="tasks-\d{4}-\d\d-\d\d\.csv"/,
    );
    assert.equal(
      await csv.text(),
      "\uFEFFname,done,priority,due,tags,hours,notes\r\n" +
        'Walk,false,normal,,,,"around\nthe park"\r\n' +
        "Buy milk,false,normal,2026-01-02,home,,",
    );
    const json = await (await app.request("/tasks/export.json?q=report")).json();
    assert.deepEqual(json, [{
      name: "Write report",
      done: true,
      priority: "high",
      due: null,
      tags: [],
      hours: null,
      notes: null,
    }]);
    assert.equal(dump(app.runtime.db()), before);
  } finally {
    app.close();
  }
});

Deno.test("an import is checked first, refused whole with its report, and once fixed goes in whole with one undo", async () => {
  const app = testApp();
  try {
    const page = await (await app.request("/tasks/import")).text();
    assert.match(page, /Import into Tasks/);
    assert.match(page, /type="file"/);
    const bad = "name,done,priority\r\nOne,false,low\r\n,false,normal\r\nThree,true,high\r\n";
    const before = dump(app.runtime.db());
    const preview = await upload(app, "/tasks/import/preview", bad);
    const previewHtml = await preview.text();
    assert.equal(preview.status, 200);
    assert.match(previewHtml, /cannot be imported yet: 1 problem/);
    assert.match(previewHtml, /<td>3<\/td><td>name<\/td><td>name is required\.<\/td>/);
    assert.match(previewHtml, /The first 3 of 3 records/);
    const refused = await upload(app, "/tasks/import", bad);
    assert.equal(refused.status, 422);
    assert.match(await refused.text(), /Nothing was imported: 1 problem/);
    assert.equal(dump(app.runtime.db()), before, "nothing was imported");

    const fixed = bad.replace("\r\n,false,normal", "\r\nTwo,false,normal");
    const ok = await upload(app, "/tasks/import", fixed);
    const okHtml = await ok.text();
    assert.equal(ok.status, 200, okHtml);
    assert.match(okHtml, /imported 3 records/);
    assert.deepEqual(tasks(app).list().map((r) => [r.name, r.done, r.priority]), [
      ["One", false, "low"],
      ["Two", false, "normal"],
      ["Three", true, "high"],
    ]);
    const token = okHtml.match(/\/tasks\/undo\/([A-Za-z0-9_-]{22})/)![1];
    assert.equal((await app.post(`/tasks/undo/${token}`, {})).status, 200);
    assert.equal(dump(app.runtime.db()), before, "one undo takes the whole import back");

    // Pasted JSON works the same way; an empty form says what to do.
    const pasted = await app.post("/tasks/import", { text: '[{"name": "Pasted"}]' });
    assert.match(await pasted.text(), /imported 1 record/);
    const empty = await app.post("/tasks/import/preview", { text: "  " });
    assert.match(await empty.text(), /choose a file or paste some records/);
  } finally {
    app.close();
  }
});

Deno.test("an export imported into another profile lands there, and only there", async () => {
  const app = testApp();
  try {
    tasks(app).insertMany([{ name: "A", tags: "x, y" }, { name: "B", done: true }], "ui");
    const csv = await (await app.request("/tasks/export.csv")).text();
    const services = app.runtime.services();
    const acme = services.crud.get("profiles").insert({ name: "Acme" }, "ui").record!;
    services.profiles.select(acme.id as number);
    assert.deepEqual(tasks(app).list(), []);
    const res = await upload(app, "/tasks/import", csv);
    assert.equal(res.status, 200, await res.clone().text());
    assert.deepEqual(
      tasks(app).list().map((r) => [r.name, r.done, r.tags, r.profile_id]),
      [["A", false, ["x", "y"], acme.id], ["B", true, [], acme.id]],
    );
  } finally {
    app.close();
  }
});
