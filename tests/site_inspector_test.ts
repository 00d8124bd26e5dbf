/**
 * The site inspector over HTTP against a local site: what it records for
 * each kind of trouble, the file its crawl keeps, and an export/import
 * round trip of a run whose job produced rows and a file.
 */
import assert from "node:assert/strict";
import { readPage } from "@/plugins/070_site_inspector.tsx";
import { type TestApp, testApp } from "./helpers/app.ts";
import { startTestSite } from "./helpers/test_site.ts";

function state(app: TestApp, key: string) {
  const row = app.runtime.db().prepare("SELECT state, version FROM pipeline WHERE key = ?").get(
    key,
  ) as { state: string; version: number };
  return { state: JSON.parse(row.state), version: row.version };
}

async function post(
  app: TestApp,
  key: string,
  step: string,
  form: Record<string, string | string[]>,
) {
  const res = await app.post(`/site-inspector/run/${key}/step/${step}`, {
    version: String(state(app, key).version),
    ...form,
  });
  assert.equal(res.status, 200, (await res.text()).slice(0, 300));
}

Deno.test("readPage takes title, description, links and words from the parsed page, not from its script", () => {
  const page = readPage(
    `<html><head><title>A &amp; B</title><meta name="Description" content="Say &quot;hi&quot;"></head>
     <body><h1>Title here</h1><p>One<br>two</p><script>var x = "no words"</script>
     <a href="/x#frag">x</a><a href="mailto:a@b.c">m</a><a href="https://other.test/y">y</a></body></html>`,
    "http://site.test/dir/page",
  );
  assert.deepEqual(page, {
    title: "A & B",
    description: 'Say "hi"',
    links: ["http://site.test/x", "https://other.test/y"],
    wordCount: 7,
  });
});

Deno.test("a crawl of the local site records each kind of trouble, keeps its file, and round-trips through export and import", async () => {
  await using site = startTestSite({ slowMs: 3_000 });
  const app = testApp({ config: { allowNetHosts: [site.host] } });
  try {
    await app.post("/site-inspector/start", { key: "crawl" });
    await post(app, "crawl", "site", {
      url: `${site.origin}/`,
      sameHost: "on",
      maxPages: "30",
      timeout: "1",
      checks: ["title", "description", "words", "links"],
    });
    await post(app, "crawl", "crawl", {});
    // The progress stream ends when the job does.
    await (await app.request("/site-inspector/run/crawl/step/crawl/progress")).text();
    const { steps, jobs } = state(app, "crawl").state;
    assert.equal(jobs.crawl.status, "done", jobs.crawl.note);
    const pages = Object.fromEntries(
      steps.crawl.pages.map((p: Record<string, unknown>) => [new URL(String(p.url)).pathname, p]),
    );
    assert.deepEqual(Object.keys(pages).sort(), [
      "/",
      "/about",
      "/contact",
      "/data.json",
      "/error",
      "/huge",
      "/loop-a",
      "/missing",
      "/slow",
    ], "same host only: the off-site link and the mailto are not fetched");
    assert.equal(pages["/"].title, "Home & welcome");
    assert.equal(pages["/"].broken, 5, "404, 500, slow, huge and the loop");
    assert.equal(pages["/about"].words, 6, "words on either side of <br> are two");
    assert.equal(pages["/missing"].problem, "HTTP 404");
    assert.equal(pages["/error"].status, 500);
    assert.match(pages["/slow"].problem, /did not answer in time/);
    assert.match(pages["/huge"].problem, /more data than one response may hold/);
    assert.match(pages["/loop-a"].problem, /redirected too many times/);
    assert.match(pages["/data.json"].problem, /not HTML \(application\/json\)/);
    assert.equal(site.hits.filter((h) => h.path === "/about").length, 1, "each page fetched once");

    const report = steps.crawl.report[0];
    const file = await app.request(`/site-inspector/run/crawl/file/${report.name}`);
    assert.equal(file.status, 200);
    assert.equal(JSON.parse(await file.text()).length, 9);

    await post(app, "crawl", "pages", { notes: "Fix the 500." });
    const exported = await (await app.request("/site-inspector/run/crawl/export")).text();
    const form = new FormData();
    form.append("file", new File([exported], "crawl.json"));
    form.append("import_key", "crawl-copy");
    const res = await app.request("/site-inspector/import", {
      method: "POST",
      body: form,
      htmx: true,
    });
    assert.equal(res.status, 200, (await res.text()).slice(0, 300));
    assert.deepEqual(state(app, "crawl-copy").state.steps, state(app, "crawl").state.steps);
    assert.equal(state(app, "crawl-copy").state.jobs.crawl.status, "done");
    const copied = await app.request(`/site-inspector/run/crawl-copy/file/${report.name}`);
    assert.equal(
      await copied.text(),
      await (await app.request(`/site-inspector/run/crawl/file/${report.name}`)).text(),
    );
    const card =
      await (await app.request("/site-inspector/run/crawl-copy/step/report", { htmx: true }))
        .text();
    assert.match(card, /data-chart=/);
    assert.match(card, /data-diagram/);
  } finally {
    app.close();
  }
});
