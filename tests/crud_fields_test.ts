/**
 * The field types of `defineCrud`: each value checked in one place (forms,
 * the assistant and imports alike), definitions checked at load, and the
 * schema evolution mapping each type to a column and telling a widening
 * from a type change.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { ValidationError } from "@/lib/errors.ts";
import { PluginError } from "@/pipeline/base.ts";
import { checkCrud } from "@/pipeline/crud/check.ts";
import { type CrudField, defineCrud } from "@/pipeline/crud/define.ts";
import { isDate, parseValue } from "@/pipeline/crud/values.ts";
import type { PluginEntry } from "@/pipeline/load.ts";
import { type CrudDefinition } from "@/pipeline/mod.ts";
import { PLUGINS } from "@/plugins/manifest.gen.ts";
import { testApp } from "./helpers/app.ts";
import { defineThings } from "./helpers/crud.ts";

const f = (field: Partial<CrudField> & Pick<CrudField, "type">): CrudField => ({
  name: "x",
  ...field,
});

function parses(field: CrudField, raw: unknown): unknown {
  return parseValue("app", field, raw);
}

function refuses(field: CrudField, raw: unknown, message: RegExp): void {
  assert.throws(
    () => parseValue("app", field, raw),
    (e: unknown) => e instanceof ValidationError && message.test(e.message),
    `${field.type} ${JSON.stringify(raw)}`,
  );
}

Deno.test("each field type accepts what a form or the assistant sends, cleaned", () => {
  const cases: [CrudField, unknown, unknown][] = [
    [f({ type: "text" }), "  Buy milk ", "Buy milk"],
    [f({ type: "textarea" }), "one\r\ntwo\n", "one\ntwo"],
    [f({ type: "int" }), "42", 42],
    [f({ type: "int" }), 7, 7],
    [f({ type: "number" }), "2.5", 2.5],
    [f({ type: "number" }), "-0", 0],
    [f({ type: "number" }), "1e3", 1000],
    [f({ type: "number" }), 0.1, 0.1],
    [f({ type: "bool" }), "on", true],
    [f({ type: "bool" }), undefined, false],
    [f({ type: "date" }), "2024-02-29", "2024-02-29"],
    [f({ type: "select", options: ["low", "high"] }), "High", "high"],
    [f({ type: "url" }), "example.com/a b", "https://example.com/a%20b"],
    [f({ type: "url" }), "http://localhost:5001/x", "http://localhost:5001/x"],
    [f({ type: "tags" }), "home, work,, Home ,errands", ["home", "work", "errands"]],
    [f({ type: "tags" }), ["a", " b "], ["a", "b"]],
    [f({ type: "tags" }), undefined, []],
    [f({ type: "date" }), "", null],
    [f({ type: "select", options: ["a"], default: "a" }), undefined, "a"],
    [f({ type: "number", default: 1.5 }), undefined, 1.5],
  ];
  for (const [field, raw, want] of cases) {
    assert.deepEqual(parses(field, raw), want, `${field.type} ${JSON.stringify(raw)}`);
  }
});

Deno.test("each field type refuses a bad value with a sentence naming the field", () => {
  refuses(f({ type: "text", name: "title" }), "", /title is required/);
  refuses(f({ type: "text", maxLength: 3 }), "four", /too long: at most 3/);
  refuses(f({ type: "textarea" }), "x".repeat(5001), /at most 5,000 characters/);
  refuses(f({ type: "int" }), "1.5", /whole number/);
  refuses(f({ type: "int", min: 1 }), "0", /at least 1/);
  refuses(f({ type: "number" }), "12abc", /must be a number/);
  refuses(f({ type: "number" }), Infinity, /must be a number/);
  refuses(f({ type: "number", max: 10 }), "10.5", /at most 10/);
  refuses(f({ type: "date" }), "2023-02-29", /date like 2026-11-24/);
  refuses(f({ type: "date" }), "24/12/2026", /date like/);
  refuses(f({ type: "select", options: ["low", "high"] }), "medium", /one of: low, high/);
  refuses(f({ type: "url" }), "javascript:alert(1)", /web address/);
  refuses(f({ type: "url" }), "ftp://example.com", /web address/);
  refuses(f({ type: "url" }), "not a host", /web address/);
  refuses(f({ type: "tags" }), [1, 2], /each tag must be text/);
  refuses(f({ type: "tags" }), "x".repeat(41), /at most 40 characters/);
  refuses(f({ type: "tags" }), Array.from({ length: 21 }, (_, i) => `t${i}`), /at most 20/);
  refuses(f({ type: "tags", required: true }), "", /at least one tag/);
  refuses(f({ type: "bool" }), "maybe", /true or false/);
});

Deno.test("a value that was accepted is accepted again unchanged (forms, imports and undo agree)", () => {
  const fields: CrudField[] = [
    f({ type: "text" }),
    f({ type: "textarea" }),
    f({ type: "number" }),
    f({ type: "int" }),
    f({ type: "tags" }),
    f({ type: "url" }),
    f({ type: "date" }),
  ];
  fc.assert(
    fc.property(
      fc.constantFrom(...fields),
      fc.oneof(
        fc.string({ maxLength: 60 }),
        fc.double({ noNaN: true }),
        fc.integer(),
        fc.array(fc.string({ maxLength: 12 }), { maxLength: 5 }),
        fc.webUrl(),
        fc.date({ min: new Date("1900-01-01"), max: new Date("2999-12-31"), noInvalidDate: true })
          .map((d) => d.toISOString().slice(0, 10)),
      ),
      (field, raw) => {
        let first: unknown;
        try {
          first = parses(field, raw);
        } catch (error) {
          if (error instanceof ValidationError) return;
          throw error;
        }
        if (first === null) return;
        assert.deepEqual(parses(field, first), first);
      },
    ),
    { numRuns: 500 },
  );
});

Deno.test("isDate knows the calendar", () => {
  assert.ok(isDate("2000-02-29"));
  assert.ok(!isDate("1900-02-29"));
  assert.ok(!isDate("2026-13-01"));
  assert.ok(!isDate("2026-1-01"));
});

Deno.test("a definition with a bad field type setting is refused at load, each problem named", () => {
  const problems = checkCrud(defineThings([
    { name: "name", type: "text" },
    { name: "kind", type: "select" },
    { name: "size", type: "select", options: ["s", "S"] },
    { name: "when", type: "date", default: "someday" },
    { name: "score", type: "text", min: 3 },
    { name: "colour", type: "text", options: ["red"] },
    { name: "q", type: "text", required: false },
    { name: "labels", type: "tags", default: "a,b" as never },
    { name: "odd", type: "colour" as never },
  ]));
  const expected = [
    /field "kind" is a select and needs options/,
    /field "size": options must be distinct/,
    /field "when": its default "someday" is not a valid date/,
    /field "score": only int and number fields take min/,
    /field "colour": only select fields take options/,
    /field name "q" is reserved/,
    /field "labels": its default "a,b" is not a valid tags/,
    /field "odd" has unknown type "colour"/,
  ];
  for (const pattern of expected) {
    assert.ok(problems.some((p) => pattern.test(p)), `${pattern} in ${problems.join("; ")}`);
  }
  assert.equal(problems.length, expected.length, problems.join("; "));
});

/** Today's plugins with Tasks replaced by `tasks`. */
function withTasks(change: (t: CrudDefinition) => Omit<CrudDefinition, "kind">): PluginEntry[] {
  return PLUGINS.map((entry) =>
    entry.file === "060_tasks.tsx"
      ? {
        file: entry.file,
        module: { default: defineCrud(change(entry.module.default as CrudDefinition)) },
      }
      : entry
  );
}

Deno.test("every field type becomes a column of its own kind, and its values come back typed", async () => {
  const app = testApp();
  try {
    const db = app.runtime.db();
    const columns = Object.fromEntries(
      (db.prepare("PRAGMA table_info(tasks)").all() as { name: string; type: string }[])
        .map((c) => [c.name, c.type]),
    );
    assert.deepEqual(columns, {
      id: "INTEGER",
      name: "TEXT",
      done: "INTEGER",
      priority: "TEXT",
      due: "TEXT",
      tags: "TEXT",
      hours: "REAL",
      notes: "TEXT",
      position: "INTEGER",
      profile_id: "INTEGER",
    });
    const tasks = app.runtime.services().crud.get("tasks");
    const { record } = tasks.insert({
      name: "Plan",
      priority: "high",
      due: "2026-12-24",
      tags: "home, work",
      hours: "1.5",
      notes: "a\nb",
    }, "ui");
    assert.deepEqual(
      { ...tasks.get(record!.id as number) },
      {
        id: record!.id,
        name: "Plan",
        done: false,
        priority: "high",
        due: "2026-12-24",
        tags: ["home", "work"],
        hours: 1.5,
        notes: "a\nb",
        position: 1,
        profile_id: record!.profile_id,
      },
    );
    assert.equal(
      (db.prepare("SELECT tags FROM tasks").get() as { tags: string }).tags,
      '["home","work"]',
      "tags are stored as JSON text",
    );
    // The form shows each type's input, and the row its cell.
    const edit = await (await app.request(`/tasks/${record!.id}/edit`, { htmx: true })).text();
    for (
      const input of [
        /<select[^>]*name="priority"/,
        /type="date"[^>]*value="2026-12-24"|value="2026-12-24"[^>]*type="date"/,
        /name="tags"[^>]*value="home, work"|value="home, work"[^>]*name="tags"/,
        /<textarea[^>]*name="notes"/,
        /type="number"[^>]*step="any"/,
      ]
    ) assert.match(edit, input);
    const row = await (await app.request(`/tasks/${record!.id}`, { htmx: true })).text();
    assert.match(row, /<time datetime="2026-12-24">24 Dec 2026<\/time>/);
    assert.match(row, /<span class="tag">home<\/span><span class="tag">work<\/span>/);
    assert.match(row, /class="cell badge option"[^>]*>high</);
  } finally {
    app.close();
  }
  await Promise.resolve();
});

Deno.test("a url field is a type=url input, its cell a safe link, and a javascript: address is refused", async () => {
  // Tasks with a web address (Profiles has one, but draws its rows itself).
  const app = testApp({
    plugins: withTasks((t) => ({ ...t, fields: [...t.fields, { name: "home", type: "url" }] })),
  });
  try {
    const tasks = app.runtime.services().crud.get("tasks");
    const { record } = tasks.insert({ name: "Read", home: "https://example.com/about/" }, "ui");
    const id = record!.id as number;
    const edit = await (await app.request(`/tasks/${id}/edit`, { htmx: true })).text();
    const input = /<input[^>]*name="home"[^>]*>/.exec(edit)?.[0] ?? "";
    assert.match(input, /type="url"/);
    assert.match(input, /value="https:\/\/example.com\/about\/"/);
    const row = await (await app.request(`/tasks/${id}`, { htmx: true })).text();
    const link = /<a href="https:\/\/example.com\/about\/"[^>]*>([^<]*)<\/a>/.exec(row);
    assert.ok(link, `a link in ${row}`);
    assert.match(link[0], /target="_blank"/);
    assert.match(link[0], /rel="[^"]*\bnoopener\b[^"]*"/);
    assert.match(link[0], /rel="[^"]*\bnoreferrer\b[^"]*"/);
    assert.equal(link[1], "example.com/about", "shown short, without the scheme");

    // Typed in the form, a javascript: address is refused and nothing is stored.
    const refused = await app.post(`/tasks/${id}`, { name: "Read", home: "javascript:alert(1)" });
    assert.equal(refused.status, 422);
    assert.match(await refused.text(), /web address/);
    assert.equal(tasks.get(id)!.home, "https://example.com/about/");

    // A value that got into the table some other way is shown as text, never as a link.
    app.runtime.db().prepare("UPDATE tasks SET home = ? WHERE id = ?").run(
      "javascript:alert(1)",
      id,
    );
    const unsafe = await (await app.request(`/tasks/${id}`, { htmx: true })).text();
    assert.match(unsafe, /javascript:alert\(1\)/);
    assert.doesNotMatch(unsafe, /href="javascript:/i);
  } finally {
    app.close();
  }
  await Promise.resolve();
});

Deno.test("adding fields of every type to a table with records fills them, and type changes are told from widenings", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "cardflow-types-" });
  try {
    const base = (t: CrudDefinition) => ({
      ...t,
      fields: t.fields.filter((field) => ["name", "done"].includes(field.name)),
    });
    let app = testApp({ config: { dataDir }, plugins: withTasks(base) });
    await app.post("/tasks", { name: "Old one" });
    app.close();

    // New fields of every type: existing records get each default (tags: none).
    const grown = (t: CrudDefinition) => ({
      ...base(t),
      fields: [
        ...base(t).fields,
        { name: "kind", type: "select" as const, options: ["a", "b"], default: "b" },
        { name: "due", type: "date" as const, default: "2026-01-01" },
        { name: "hours", type: "number" as const, default: 2.5 },
        { name: "home", type: "url" as const },
        { name: "notes", type: "textarea" as const },
        { name: "labels", type: "tags" as const },
        { name: "count", type: "int" as const, required: false },
      ],
    });
    app = testApp({ config: { dataDir }, plugins: withTasks(grown) });
    const rows = () =>
      app.runtime.db().prepare(
        "SELECT name, kind, due, hours, home, notes, labels, count FROM tasks",
      ).all().map((r) => ({ ...r }));
    assert.deepEqual(rows(), [{
      name: "Old one",
      kind: "b",
      due: "2026-01-01",
      hours: 2.5,
      home: null,
      notes: null,
      labels: "[]",
      count: null,
    }]);
    assert.deepEqual(
      app.runtime.services().store.get("schema.tasks"),
      {
        name: "text",
        done: "bool",
        kind: "select",
        due: "date",
        hours: "number",
        home: "url",
        notes: "textarea",
        labels: "tags",
        count: "int",
      },
      "the stored-types record knows each new type",
    );
    app.close();

    // Widening keeps every value valid: text → textarea, int → number.
    const widened = (t: CrudDefinition) => ({
      ...grown(t),
      fields: grown(t).fields.map((field) =>
        field.name === "count" ? { ...field, type: "number" as const } : field
      ),
    });
    app = testApp({ config: { dataDir }, plugins: withTasks(widened) });
    assert.equal(
      app.runtime.services().store.get<Record<string, string>>("schema.tasks")!.count,
      "number",
    );
    app.close();

    // A real change of type needs a migration, whichever types are involved.
    const retypes: [string, CrudField["type"], Partial<CrudField>][] = [
      ["kind", "text", {}],
      ["due", "text", {}],
      ["home", "text", {}],
      ["notes", "text", {}],
      ["labels", "text", {}],
      ["hours", "int", {}],
      ["home", "select", { options: ["x"] }],
      ["due", "select", { options: ["2026-01-01"] }],
    ];
    for (const [name, type, extra] of retypes) {
      const change = (t: CrudDefinition) => ({
        ...widened(t),
        toggle: widened(t).toggle,
        fields: widened(t).fields.map((field) =>
          field.name === name
            ? { ...field, options: undefined, ...extra, type, default: undefined } as CrudField
            : field
        ),
      });
      assert.throws(
        () => testApp({ config: { dataDir }, plugins: withTasks(change) }),
        (e: unknown) => {
          assert.ok(e instanceof PluginError, String(e));
          assert.match(e.message, new RegExp(`the field "${name}" was stored as`));
          return true;
        },
        `${name} → ${type}`,
      );
    }
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});
