import { Buffer } from "node:buffer";
import assert from "node:assert/strict";
import { type TestApp, testApp } from "./helpers/app.ts";
import { browserTest } from "./helpers/browser.ts";

function state(app: TestApp, key: string) {
  const row = app.runtime.db().prepare("SELECT state, version FROM pipeline WHERE key = ?")
    .get(key) as { state: string; version: number };
  return { state: JSON.parse(row.state), version: row.version };
}

async function submit(
  app: TestApp,
  key: string,
  step: string,
  form: Record<string, string>,
): Promise<Response> {
  return await app.post(`/showcase/run/${key}/step/${step}`, {
    version: String(state(app, key).version),
    ...form,
  });
}

async function upload(app: TestApp, key: string, name: string, bytes: number): Promise<Response> {
  const form = new FormData();
  form.append("version", String(state(app, key).version));
  form.append("file", new File([new Uint8Array(bytes).fill(65)], name));
  return await app.request(`/showcase/run/${key}/step/upload`, {
    method: "POST",
    body: form,
    htmx: true,
  });
}

async function fragment(app: TestApp, key: string, step: string): Promise<string> {
  return await (await app.request(`/showcase/run/${key}/step/${step}`, { htmx: true })).text();
}

async function walkToUpload(app: TestApp, key: string): Promise<void> {
  await app.post("/showcase/start", { key });
  const steps: [string, Record<string, string>][] = [
    ["title", { title: "Spring clean" }],
    ["notes", {
      notes: "# Plan\n- **paint** <script>alert(1)</script>\n\n[x](javascript:alert(2))",
    }],
    ["count", { count: "12" }],
    ["colour", { colour: "green" }],
    ["urgent", { urgent: "on" }],
    ["due", { due: "2026-12-24" }],
    ["summary", { summary: "all good" }],
    ["table", { items: "paint, 2\nbrushes, 5" }],
    ["code", { code: "const answer: number = 42; // <b>" }],
  ];
  for (const [id, form] of steps) assert.equal((await submit(app, key, id, form)).status, 200, id);
}

Deno.test("the showcase takes every input kind, renders Markdown, a table and code safely, and stores an upload", async () => {
  const dataDir = await Deno.makeTempDir();
  const app = testApp({ config: { dataDir } });
  try {
    await walkToUpload(app, "show");
    const s = state(app, "show").state.steps;
    assert.deepEqual([s.count.count, s.urgent.urgent, s.due.due, s.colour.colour], [
      12,
      true,
      "2026-12-24",
      "green",
    ]);
    const notes = await fragment(app, "show", "notes");
    assert.match(notes, /<h1>Plan<\/h1>/);
    assert.match(notes, /<strong>paint<\/strong>/);
    assert.doesNotMatch(notes, /<script>|javascript:/);
    assert.match(await fragment(app, "show", "table"), /<td>brushes<\/td><td>5<\/td>/);
    assert.match(await fragment(app, "show", "code"), /<span class="hljs-keyword">const<\/span>/);
    assert.match(
      await fragment(app, "show", "code"),
      /<div id="code-snippet"><div class="code-block"><button[^>]*data-copy="code"[^>]*>\s*Copy/,
    );
    assert.doesNotMatch(await fragment(app, "show", "code"), /<b>/);
    const summary = await fragment(app, "show", "summary");
    assert.match(summary, /all good/);
    const tooBig = await upload(app, "show", "big.bin", 65 * 1024);
    assert.equal(tooBig.status, 422);
    assert.match(await tooBig.text(), /too large: at most 64 KiB/);
    assert.equal((await upload(app, "show", "../../etc/passwd", 10)).status, 200);
    const stored = state(app, "show").state.steps.upload;
    assert.equal(stored.file_bytes, 10);
    assert.match(stored.file, /^[a-z0-9]+-passwd$/, "only the base name is kept");
    assert.equal(Deno.readTextFileSync(`${dataDir}/uploads/show/${stored.file}`), "AAAAAAAAAA");
  } finally {
    app.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("showcase validation: too short, out of range, not an option, a bad date and a bad table line are refused", async () => {
  const app = testApp();
  try {
    await app.post("/showcase/start", { key: "v" });
    const bad = async (step: string, form: Record<string, string>, message: RegExp) => {
      const before = state(app, "v");
      const res = await submit(app, "v", step, form);
      assert.equal(res.status, 422, step);
      assert.match(await res.text(), message);
      assert.deepEqual(state(app, "v"), before);
    };
    await bad("title", { title: "ab" }, /at least 3 characters/);
    await submit(app, "v", "title", { title: "Fine" });
    await submit(app, "v", "notes", { notes: "x" });
    await bad("count", { count: "1000" }, /at most 200/);
    await bad("count", { count: "two" }, /must be a number/);
    await submit(app, "v", "count", { count: "3" });
    await bad("colour", { colour: "purple" }, /choose one of the listed options/);
    await submit(app, "v", "colour", { colour: "red" });
    await submit(app, "v", "urgent", {});
    await bad("due", { due: "2026-02-30" }, /must be a date/);
    await submit(app, "v", "due", { due: "2026-02-28" });
    await submit(app, "v", "summary", { summary: "s" });
    await bad("table", { items: "paint, lots" }, /a comma and a whole number/);
  } finally {
    app.close();
  }
});

Deno.test("the long-running step runs on the server, reports progress, finishes, and a restart marks an unfinished one interrupted", async () => {
  const dataDir = await Deno.makeTempDir();
  let app = testApp({ config: { dataDir } });
  try {
    await walkToUpload(app, "job");
    await upload(app, "job", "a.txt", 3);
    assert.equal((await submit(app, "job", "crunch", { rounds: "5" })).status, 200);
    assert.match(
      await fragment(app, "job", "crunch"),
      /hx-sse:connect="\/showcase\/run\/job\/step\/crunch\/progress"/,
    );
    const progress = await (await app.request("/showcase/run/job/step/crunch/progress")).text();
    assert.match(progress, /<progress/);
    assert.match(progress, /hx-get="\/showcase\/run\/job"/, "the stream ends by redrawing the run");
    const { steps, jobs } = state(app, "job").state;
    assert.equal(jobs.crunch.status, "done");
    assert.equal(jobs.crunch.progress, 5);
    assert.equal(typeof steps.crunch.checksum, "number");
    assert.deepEqual(
      Object.keys(steps.crunch).sort(),
      ["checksum", "rounds"],
      "no job keys in values",
    );
    assert.match(await fragment(app, "job", "crunch"), /5 rounds done/);

    // Start another, stop Cardflow in the middle, start again: it shows as interrupted with a retry.
    await submit(app, "job", "crunch", { rounds: "50" });
    app.runtime.stop();
    app.close();
    app = testApp({ config: { dataDir } });
    const card = await fragment(app, "job", "crunch");
    assert.match(card, /interrupted/);
    assert.match(card, /Run it again/);
  } finally {
    app.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});

browserTest(
  "a person starts the long step, watches its progress live, leaves, and comes back to the result",
  async ({ page, url }) => {
    await page.goto(url + "/showcase");
    await page.locator('input[name="key"]').fill("live");
    await page.locator("button", { hasText: "Start or resume" }).click();
    const fill = async (step: string, value: string) => {
      await page.locator(`#step-${step} form [name]`).first().fill(value);
      await page.locator(`#step-${step} button[type=submit]`).click();
    };
    await fill("title", "Live run");
    await fill("notes", "**bold**");
    await fill("count", "2");
    await page.locator("#step-colour select").selectOption("blue");
    await page.locator("#step-colour button[type=submit]").click();
    await page.locator("#step-urgent button[type=submit]").click();
    await fill("due", "2026-12-01");
    await page.locator("#step-summary button[type=submit]").click();
    await fill("table", "a, 1");
    await fill("code", "let x = 1;");
    await page.locator("#step-upload input[type=file]").setInputFiles({
      name: "note.txt",
      mimeType: "text/plain",
      buffer: Buffer.from("hi"),
    });
    await page.locator("#step-upload button[type=submit]").click();
    await fill("crunch", "20");
    await page.locator("#step-crunch progress").waitFor();
    await page.locator("#step-crunch", { hasText: /[1-9]\d* of 20: round/ }).waitFor();
    await page.goto(url + "/tasks");
    await page.goto(url + "/showcase/run/live");
    await page.locator("#step-crunch", { hasText: "20 rounds done" }).waitFor({ timeout: 10_000 });
    await page.locator("#step-finish button", { hasText: "Finalize" }).waitFor();
  },
);
