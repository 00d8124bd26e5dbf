/**
 * Runs in and out over HTTP: export and import round-trip a run exactly,
 * an import whose values no longer fit is refused and creates nothing, a
 * start link pre-fills and stores nothing until submitted, clone copies only
 * the chosen steps, and downloads are real CSV and JSON that change nothing.
 */
import assert from "node:assert/strict";
import { fromCsv } from "@/lib/csv.ts";
import { defineWorkflow, type WorkflowDefinition } from "@/pipeline/mod.ts";
import { dump, type TestApp, testApp } from "./helpers/app.ts";
import { filesUnder, FORMKIT, withPlugins } from "./helpers/workflows.ts";

function row(app: TestApp, key: string) {
  return app.runtime.db().prepare("SELECT * FROM pipeline WHERE key = ?").get(key) as
    | { state: string; version: number; profile_id: number | null }
    | undefined;
}
const stateOf = (app: TestApp, key: string) => JSON.parse(row(app, key)!.state);

async function submit(
  app: TestApp,
  wf: string,
  key: string,
  step: string,
  form: Record<string, string | string[]>,
) {
  const res = await app.post(`/${wf}/run/${key}/step/${step}`, {
    version: String(row(app, key)!.version),
    ...form,
  });
  assert.equal(res.status, 200, `${step}: ${(await res.text()).slice(0, 300)}`);
}

/** Every step card of a run as the page shows it, with the run's key taken out. */
async function view(app: TestApp, wf: string, key: string, steps: string[]): Promise<string> {
  const parts: string[] = [];
  for (const step of steps) {
    parts.push(await (await app.request(`/${wf}/run/${key}/step/${step}`, { htmx: true })).text());
  }
  // The row's version counts writes, not content: an imported run starts at 1.
  return parts.join("\n").replaceAll(`/run/${key}/`, "/run/KEY/")
    .replace(/name="version" value="\d+"/g, 'name="version" value="N"');
}

async function importFile(app: TestApp, wf: string, content: string, key = "") {
  const form = new FormData();
  form.append("file", new File([content], "run.json", { type: "application/json" }));
  form.append("import_key", key);
  return await app.request(`/${wf}/import`, { method: "POST", body: form, htmx: true });
}

async function walkFormkit(app: TestApp, key: string) {
  await app.post("/formkit/start", { key });
  const form = new FormData();
  form.append("version", String(row(app, key)!.version));
  for (
    const [n, v] of [
      ["site", "https://example.com/"],
      ["mail", "a@b.io"],
      ["size", "l"],
      ["tags", "green"],
      [
        "level",
        "3",
      ],
      ["fruit", "pear"],
      ["agree", "on"],
    ]
  ) form.append(n!, v!);
  form.append("docs", new File(["hello"], "hello.txt", { type: "text/plain" }));
  const res = await app.request(`/formkit/run/${key}/step/all`, {
    method: "POST",
    body: form,
    htmx: true,
  });
  assert.equal(res.status, 200);
  await submit(app, "formkit", key, "done", { comment: "fine" });
}

Deno.test("export then import round-trips a run exactly: same step values, same files, same view", async () => {
  const app = testApp({ plugins: withPlugins(["080_formkit.tsx", FORMKIT]) });
  try {
    await walkFormkit(app, "orig");
    await app.post("/formkit/run/orig/finalize", { version: String(row(app, "orig")!.version) });
    const exported = await app.request("/formkit/run/orig/export");
    assert.equal(exported.status, 200);
    assert.match(
      exported.headers.get("content-disposition") ?? "",
      /attachment; filename="formkit-orig.json"/,
    );
    const text = await exported.text();
    const data = JSON.parse(text);
    assert.equal(data.workflow, "formkit");
    assert.match(data.definitionVersion, /^[0-9a-f]{8}$/);
    assert.equal(Object.keys(data.files).length, 1, "the upload travels inside the file");

    const res = await importFile(app, "formkit", text, "copy");
    assert.equal(res.status, 200, await res.clone().text());
    const [a, b] = [stateOf(app, "orig"), stateOf(app, "copy")];
    assert.deepEqual(b.steps, a.steps, "same step values");
    assert.equal(b.finalized, true);
    assert.deepEqual([b.created, b.updated], [a.created, a.updated]);
    assert.equal(
      await view(app, "formkit", "copy", ["all", "done"]),
      await view(app, "formkit", "orig", ["all", "done"]),
    );
    const file = a.steps.all.docs[0].name;
    assert.equal(await (await app.request(`/formkit/run/copy/file/${file}`)).text(), "hello");

    // The same key again is refused: it is taken.
    const again = await importFile(app, "formkit", text);
    assert.equal(again.status, 422);
    assert.match(await again.text(), /the key &quot;orig&quot; is taken/);
  } finally {
    app.close();
  }
});

Deno.test("importing a run whose values no longer validate is refused with a message naming the first problem, and creates nothing", async () => {
  const dataDir = await Deno.makeTempDir();
  let app = testApp({ config: { dataDir }, plugins: withPlugins(["080_formkit.tsx", FORMKIT]) });
  let text: string;
  try {
    await walkFormkit(app, "old");
    text = await (await app.request("/formkit/run/old/export")).text();
  } finally {
    app.close();
  }
  // Today's definition no longer offers "pear".
  const stricter: WorkflowDefinition = defineWorkflow({
    ...FORMKIT,
    steps: FORMKIT.steps.map((s) =>
      s.id !== "all" ? s : {
        ...s,
        fields: s.fields!.map((f) =>
          f.name === "fruit" ? { ...f, options: [{ value: "apple", label: "Apple" }] } : f
        ),
      }
    ),
  });
  app = testApp({ config: { dataDir }, plugins: withPlugins(["080_formkit.tsx", stricter]) });
  try {
    const before = dump(app.runtime.db());
    const uploads = [...Deno.readDirSync(`${dataDir}/uploads`)].map((e) => e.name);
    const res = await importFile(app, "formkit", text, "new-key");
    assert.equal(res.status, 422);
    assert.match(
      await res.text(),
      /cannot be imported: step &quot;Everything at once&quot;: Fruit: choose one/,
    );
    assert.equal(dump(app.runtime.db()), before, "nothing in the database");
    assert.deepEqual(
      [...Deno.readDirSync(`${dataDir}/uploads`)].map((e) => e.name),
      uploads,
      "no files left",
    );
    for (
      const [bad, message] of [
        ["not json", /it is not JSON/],
        [
          JSON.stringify({ cardflow: "run", format: 1, workflow: "hello", steps: {} }),
          /a run of &quot;hello&quot;/,
        ],
        [text.replace('"all"', '"nope"'), /step &quot;nope&quot; is not a step/],
      ] as const
    ) {
      const refused = await importFile(app, "formkit", bad, "k2");
      assert.equal(refused.status, 422);
      assert.match(await refused.text(), message);
    }
    assert.equal(dump(app.runtime.db()), before);
  } finally {
    app.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("an import whose run cannot be written removes the files it wrote, and leaves no run", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "cardflow-test-" });
  const app = testApp({ config: { dataDir }, plugins: withPlugins(["080_formkit.tsx", FORMKIT]) });
  try {
    await walkFormkit(app, "orig");
    const text = await (await app.request("/formkit/run/orig/export")).text();
    assert.equal(Object.keys(JSON.parse(text).files).length, 1, "the export carries a file");
    // The files are written first; then the row is refused, as a full disk or a lock would.
    app.runtime.db().exec(
      `CREATE TEMP TRIGGER refuse_doomed BEFORE INSERT ON pipeline WHEN NEW.key = 'doomed'
       BEGIN SELECT RAISE(ABORT, 'the row cannot be written'); END`,
    );
    const runs = () => app.runtime.db().prepare("SELECT key, version FROM pipeline").all();
    const before = { runs: runs(), uploads: filesUnder(`${dataDir}/uploads`) };
    const res = await importFile(app, "formkit", text, "doomed");
    assert.equal(res.status, 500);
    await res.body?.cancel();
    assert.equal(row(app, "doomed"), undefined, "no run");
    assert.deepEqual(runs(), before.runs, "the runs are as they were");
    assert.deepEqual(filesUnder(`${dataDir}/uploads`), before.uploads, "no file left behind");
    assert.deepEqual(filesUnder(`${dataDir}/uploads/doomed`), []);
  } finally {
    await app.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("two imports to one key at once make one run with all its files; the other is refused and leaves nothing", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "cardflow-test-" });
  const app = testApp({ config: { dataDir }, plugins: withPlugins(["080_formkit.tsx", FORMKIT]) });
  try {
    await walkFormkit(app, "orig");
    const text = await (await app.request("/formkit/run/orig/export")).text();
    const name = stateOf(app, "orig").steps.all.docs[0].name;
    const answers = await Promise.all([
      importFile(app, "formkit", text, "twin"),
      importFile(app, "formkit", text, "twin"),
    ]);
    // Both pass the "is the key free" check before either has written its row, as a rule;
    // should the first finish first, the second is refused by that check instead (422).
    const ok = answers.filter((r) => r.status === 200);
    const refused = answers.filter((r) => r.status === 409 || r.status === 422);
    assert.equal(ok.length, 1, `statuses ${answers.map((r) => r.status)}`);
    assert.equal(refused.length, 1);
    assert.match(await refused[0]!.text(), /the key &quot;twin&quot; is taken/i);
    await ok[0]!.body?.cancel();
    assert.deepEqual(stateOf(app, "twin").steps, stateOf(app, "orig").steps);
    assert.deepEqual(filesUnder(`${dataDir}/uploads/twin`), [name], "the run's file is there");
    const file = await app.request(`/formkit/run/twin/file/${name}`);
    assert.equal(file.status, 200);
    assert.equal(await file.text(), "hello");
  } finally {
    await app.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("a start link shows its values pre-filled and stores nothing until the first step is submitted", async () => {
  const dataDir = await Deno.makeTempDir();
  const app = testApp({ config: { dataDir } });
  try {
    await app.request("/hello"); // the database is set up before we compare
    const before = dump(app.runtime.db());
    const files = [...Deno.readDirSync(dataDir)].map((e) => e.name).sort();
    const link =
      "/hello/start?key=linked&step_01.name=Ada%20%3Cb%3E&step_02.greeting=Hi%20there&nope.x=1";
    const page = await app.request(link);
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /value="Ada &lt;b&gt;"/, "the first form is pre-filled, escaped");
    assert.match(html, /nothing is saved until you submit/);
    assert.match(html, /Not used \(no such step field\): nope.x/);
    assert.equal(dump(app.runtime.db()), before, "a GET writes nothing");
    assert.equal(row(app, "linked"), undefined, "the run does not exist yet");
    assert.deepEqual([...Deno.readDirSync(dataDir)].map((e) => e.name).sort(), files);

    // A refused first step still creates nothing, and keeps the link's values.
    const prefill = /name="prefill" value="([^"]*)"/.exec(html)![1]!.replaceAll("&quot;", '"');
    const empty = await app.post("/hello/run/linked/step/step_01", {
      start: "1",
      version: "0",
      prefill,
      name: " ",
    });
    assert.equal(empty.status, 422);
    assert.match(await empty.text(), /name="prefill"/);
    assert.equal(row(app, "linked"), undefined);

    const res = await app.post("/hello/run/linked/step/step_01", {
      start: "1",
      version: "0",
      prefill,
      name: "Ada",
    });
    assert.equal(res.status, 200, await res.clone().text());
    assert.deepEqual(stateOf(app, "linked").steps, { step_01: { name: "Ada" } });
    const second = await (await app.request("/hello/run/linked/step/step_02", { htmx: true }))
      .text();
    assert.match(
      second,
      /value="Hi there"/,
      "the link's value for a later step is offered in its form",
    );
    await submit(app, "hello", "linked", "step_02", { greeting: "Hi there" });
    assert.equal(
      stateOf(app, "linked").prefill,
      undefined,
      "used link values are gone once submitted",
    );

    const taken = await app.request("/hello/start?key=linked");
    assert.equal(taken.status, 409);
    assert.match(await taken.text(), /is taken/);
  } finally {
    app.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("clone copies only the chosen steps into a new run of the current profile", async () => {
  const app = testApp();
  try {
    await app.post("/showcase/start", { key: "src" });
    await submit(app, "showcase", "src", "title", { title: "Spring clean" });
    await submit(app, "showcase", "src", "notes", { notes: "n" });
    await submit(app, "showcase", "src", "count", { count: "4" });
    const res = await app.post("/showcase/run/src/clone", { upto: "notes", new_key: "dst" });
    assert.equal(res.status, 200, await res.clone().text());
    assert.equal(res.headers.get("hx-push-url"), "/showcase/run/dst");
    const dst = stateOf(app, "dst");
    assert.deepEqual(Object.keys(dst.steps), ["title", "notes"]);
    assert.deepEqual(dst.steps.title, { title: "Spring clean" });
    assert.equal(row(app, "dst")!.profile_id, 1);
    assert.match(
      await (await app.request("/showcase/run/dst/step/count", { htmx: true })).text(),
      /name="count"/,
    );
    const taken = await app.post("/showcase/run/src/clone", { upto: "title", new_key: "dst" });
    assert.equal(taken.status, 409);
    const beyond = await app.post("/showcase/run/src/clone", { upto: "colour", new_key: "dst2" });
    assert.equal(beyond.status, 409);
    assert.match(await beyond.text(), /not done in this run/);
    assert.equal(row(app, "dst2"), undefined);
  } finally {
    app.close();
  }
});

Deno.test("a step's CSV download is RFC 4180 with a BOM and header, JSON is JSON, and neither changes anything", async () => {
  const withDownload = defineWorkflow({
    name: "table",
    title: "Table",
    description: "d",
    steps: [{
      id: "rows",
      label: "Rows",
      field: { name: "text", kind: "textarea" },
      download: {
        csv: (values) => String(values.text).split("\n").map((line, i) => ({ n: i + 1, line })),
        json: (values) => ({ lines: String(values.text).split("\n") }),
      },
    }],
  });
  const app = testApp({ plugins: withPlugins(["080_table.tsx", withDownload]) });
  try {
    await app.post("/table/start", { key: "t" });
    await submit(app, "table", "t", "rows", {
      text: 'plain\nwith, comma\nsay "hi"\n=1+2\nÇa va 😀',
    });
    const before = dump(app.runtime.db());
    const csv = await app.request("/table/run/t/step/rows/download/csv");
    assert.equal(csv.status, 200);
    assert.equal(csv.headers.get("content-type"), "text/csv; charset=utf-8");
    assert.match(
      csv.headers.get("content-disposition") ?? "",
      /^attachment; filename="table-t-rows.csv"/,
    );
    const body = await csv.text();
    assert.ok(body.startsWith("\uFEFFn,line\r\n"), JSON.stringify(body.slice(0, 20)));
    assert.match(body, /\r\n2,"with, comma"\r\n3,"say ""hi"""\r\n4,"'=1\+2"\r\n5,Ça va 😀$/);
    assert.deepEqual(fromCsv(body).rows[1], { n: "2", line: "with, comma" });
    const json = await (await app.request("/table/run/t/step/rows/download/json")).json();
    assert.equal(json.lines.length, 5);
    assert.equal((await app.request("/table/run/t/step/rows/download/xml")).status, 404);
    assert.equal(dump(app.runtime.db()), before, "downloads write nothing");
  } finally {
    app.close();
  }
});
