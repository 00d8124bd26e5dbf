/**
 * Steps with several fields of every kind, over HTTP: each refused field gets
 * its own message tied to it, the values are stored typed, files are kept and
 * can be downloaded again, and the completed card shows each value once
 * (and a step of one unlabelled field its label once, in the heading).
 */
import assert from "node:assert/strict";
import { dump, type TestApp, testApp } from "./helpers/app.ts";
import { filesUnder, FORMKIT, withPlugins } from "./helpers/workflows.ts";

function state(app: TestApp, key: string) {
  const row = app.runtime.db().prepare("SELECT state, version FROM pipeline WHERE key = ?").get(
    key,
  ) as { state: string; version: number };
  return { state: JSON.parse(row.state), version: row.version };
}

async function send(app: TestApp, key: string, fields: [string, string | File][]) {
  const form = new FormData();
  form.append("version", String(state(app, key).version));
  for (const [name, value] of fields) form.append(name, value);
  return await app.request(`/formkit/run/${key}/step/all`, {
    method: "POST",
    body: form,
    htmx: true,
  });
}

const GOOD: [string, string | File][] = [
  ["site", "https://example.com/a?b=1"],
  ["mail", "ada@example.com"],
  ["size", "m"],
  ["tags", "blue"],
  ["tags", "red"],
  ["level", "7"],
  ["fruit", "cherry"],
  ["docs", new File(["one"], "one.txt", { type: "text/plain" })],
  ["docs", new File(["<b>two</b>"], "../two.html", { type: "text/html" })],
  ["agree", "on"],
];

Deno.test("a step with several fields refuses each bad field with its own message, tied to it", async () => {
  const app = testApp({ plugins: withPlugins(["080_formkit.tsx", FORMKIT]) });
  try {
    await app.post("/formkit/start", { key: "bad" });
    const before = state(app, "bad");
    const res = await send(app, "bad", [
      ["site", "ftp://example.com"],
      ["mail", "not-an-address"],
      ["size", "xl"],
      ["tags", "red"],
      ["tags", "green"],
      ["tags", "blue"],
      ["level", "11"],
      ["fruit", "banana"],
      ["docs", new File([new Uint8Array(2000)], "big.bin")],
    ]);
    assert.equal(res.status, 422);
    const html = (await res.text()).replaceAll("&#39;", "'");
    const expected: Record<string, RegExp> = {
      site: /Web address must be a web address starting with http/,
      mail: /Email must be an email address/,
      size: /Size: choose one of the listed options/,
      tags: /Tags: choose at most 2/,
      level: /Level must be at most 10/,
      fruit: /Fruit: choose one of the listed options/,
      docs: /big.bin is too large|Documents is too large/,
      agree: /I agree must be ticked/,
    };
    for (const [name, message] of Object.entries(expected)) {
      const error = new RegExp(
        `<p id="error-all-${name}" class="field-error" role="alert">([^<]*)</p>`,
      )
        .exec(html);
      assert.ok(error, `no message beside ${name}`);
      assert.match(error[1]!, message, name);
      assert.match(
        html,
        new RegExp(`aria-describedby="[^"]*error-all-${name}`),
        `${name} describedby`,
      );
    }
    assert.match(html, /value="ftp:\/\/example.com"/, "what was typed is shown again");
    assert.deepEqual(state(app, "bad"), before, "nothing was stored");
    const rule = await send(
      app,
      "bad",
      GOOD.map(([n, v]): [string, string | File] => n === "size" ? [n, "s"] : [n, v]),
    );
    assert.equal(rule.status, 422);
    assert.match(
      await rule.text(),
      /A small one goes to 5 at most/,
      "the step's own rule sees all fields",
    );
  } finally {
    app.close();
  }
});

Deno.test("good values are stored typed, files kept and downloadable, and the card shows each label once", async () => {
  const app = testApp({ plugins: withPlugins(["080_formkit.tsx", FORMKIT]) });
  try {
    await app.post("/formkit/start", { key: "good" });
    const res = await send(app, "good", GOOD);
    assert.equal(res.status, 200, await res.clone().text());
    const values = state(app, "good").state.steps.all;
    assert.equal(values.site, "https://example.com/a?b=1");
    assert.deepEqual(values.tags, ["red", "blue"], "choices in the options' order");
    assert.equal(values.level, 7);
    assert.equal(values.agree, true);
    assert.equal(values.docs.length, 2);
    assert.deepEqual(values.docs.map((d: { original: string }) => d.original), [
      "one.txt",
      "two.html",
    ]);
    const card = await (await app.request("/formkit/run/good/step/all", { htmx: true })).text();
    assert.equal(card.match(/<dt>Tags<\/dt>/g)?.length, 1);
    assert.match(card, /<dd>red, blue<\/dd>/);
    assert.match(card, /<dd>Cherry<\/dd>/, "a choice shows its label");
    const link = /href="(\/formkit\/run\/good\/file\/[^"]+)" download="two.html"/.exec(card);
    assert.ok(link, "an uploaded file links to its download");
    const file = await app.request(link[1]!);
    assert.equal(file.status, 200);
    assert.match(file.headers.get("content-disposition") ?? "", /attachment; filename="two.html"/);
    assert.equal(
      file.headers.get("content-type"),
      "application/octet-stream",
      "HTML is never served as HTML",
    );
    assert.equal(await file.text(), "<b>two</b>");
    const other = await app.request("/formkit/run/good/file/..%2F..%2Fetc%2Fpasswd");
    assert.equal(other.status, 404);
    const next = await (await app.request("/formkit/run/good/step/done", { htmx: true })).text();
    assert.match(
      next,
      /Comment <span class="muted">\(optional\)<\/span>/,
      "a space before (optional)",
    );

    // A step of one unlabelled field: its completed card says "Comment" once, in its heading.
    const form = new FormData();
    form.append("version", String(state(app, "good").version));
    form.append("comment", "Looks fine");
    const done = await app.request("/formkit/run/good/step/done", {
      method: "POST",
      body: form,
      htmx: true,
    });
    assert.equal(done.status, 200, await done.clone().text());
    const html = await (await app.request("/formkit/run/good/step/done", { htmx: true })).text();
    const doneCard = /<article[^>]*id="step-done"[^>]*>.*?<\/article>/s.exec(html)?.[0] ?? "";
    assert.match(doneCard, /<p class="value">Looks fine<\/p>/, "the value alone, no list");
    const shown = doneCard.replace(/<[^>]*>/g, " ");
    assert.equal(shown.match(/Comment/g)?.length, 1, `the label once: ${shown}`);
  } finally {
    app.close();
  }
});

Deno.test("a multi-field form renders radios and checkboxes as fieldsets, a grouped select and a slider with its value", async () => {
  const app = testApp({ plugins: withPlugins(["080_formkit.tsx", FORMKIT]) });
  try {
    await app.post("/formkit/start", { key: "form" });
    const html = await (await app.request("/formkit/run/form/step/all", { htmx: true })).text();
    assert.match(html, /<fieldset[^>]*radio[^>]*><legend>Size/);
    assert.match(html, /<fieldset[^>]*multiselect[^>]*><legend>Tags/);
    assert.match(html, /<optgroup label="Pome"><option value="apple"/);
    assert.match(html, /type="range"[^>]*value="5"/);
    assert.match(html, /<output[^>]*>5<\/output>/);
    assert.match(html, /type="file" multiple/);
    assert.match(html, /hx-encoding="multipart\/form-data"/);
  } finally {
    app.close();
  }
});

Deno.test("a files field over its count or total size cap says so beside the field, and stores nothing", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "cardflow-test-" });
  const app = testApp({ config: { dataDir }, plugins: withPlugins(["080_formkit.tsx", FORMKIT]) });
  try {
    await app.post("/formkit/start", { key: "caps" });
    const before = { db: dump(app.runtime.db()), files: filesUnder(dataDir) };
    assert.deepEqual(filesUnder(`${dataDir}/uploads`), []);
    const withDocs = (docs: File[]) => [
      ...GOOD.filter(([name]) => name !== "docs"),
      ...docs.map((f): [string, File] => ["docs", f]),
    ];
    const small = (i: number, bytes: number) => new File([new Uint8Array(bytes)], `d${i}.bin`);
    const cases: [string, File[], RegExp][] = [
      // FORMKIT's docs: 1 KiB each, 3 files, 2 KiB together.
      ["four files", [1, 2, 3, 4].map((i) => small(i, 10)), /^Documents: at most 3 files\.$/],
      [
        "three files of 1,000 bytes",
        [1, 2, 3].map((i) => small(i, 1000)),
        /^Documents: the files together may be at most 2 KiB\.$/,
      ],
    ];
    for (const [what, docs, message] of cases) {
      const res = await send(app, "caps", withDocs(docs));
      assert.equal(res.status, 422, what);
      const html = await res.text();
      const errors = [
        ...html.matchAll(/<p id="error-all-(\w+)" class="field-error" role="alert">([^<]*)<\/p>/g),
      ];
      assert.deepEqual(
        errors.map((e) => e[1]),
        ["docs"],
        `${what}: only the files field is refused`,
      );
      assert.match(errors[0]![2]!, message, what);
      assert.match(html, /<input[^>]*name="docs"[^>]*aria-describedby="[^"]*error-all-docs/, what);
      assert.equal(dump(app.runtime.db()), before.db, `${what}: the run is unchanged`);
      assert.deepEqual(filesUnder(`${dataDir}/uploads`), [], `${what}: no file written`);
      assert.deepEqual(
        filesUnder(dataDir),
        before.files,
        `${what}: nothing new in the data folder`,
      );
    }
    // At the caps exactly (3 files, 1 KiB the largest, 2 KiB together) the step is taken.
    const res = await send(app, "caps", withDocs([small(1, 1024), small(2, 1023), small(3, 1)]));
    assert.equal(res.status, 200, await res.clone().text());
    assert.equal(filesUnder(`${dataDir}/uploads`).length, 3);
  } finally {
    await app.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});
