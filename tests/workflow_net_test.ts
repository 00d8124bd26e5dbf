/**
 * A workflow reaches only the hosts it declares in `net` and the hosts the
 * person allowed with `--net-host`; loopback and private addresses only
 * when the person named them. Every refusal is checked against a local server
 * that counts what reached it.
 */
import assert from "node:assert/strict";
import { parseConfig } from "@/lib/config.ts";
import { type TestApp, testApp } from "./helpers/app.ts";
import { startTestSite } from "./helpers/test_site.ts";
import { fetcher, withPlugins } from "./helpers/workflows.ts";

function state(app: TestApp, key: string) {
  const row = app.runtime.db().prepare("SELECT state, version FROM pipeline WHERE key = ?").get(
    key,
  ) as { state: string; version: number };
  return { state: JSON.parse(row.state), version: row.version };
}

/** Start a run of the fetcher on `url` and wait for its job to stop; the job's state. */
async function fetchWith(app: TestApp, url: string) {
  await app.post("/fetcher/start", { key: "f" });
  const res = await app.post("/fetcher/run/f/step/go", {
    version: String(state(app, "f").version),
    url,
  });
  assert.equal(res.status, 200, await res.clone().text());
  for (;;) {
    const job = state(app, "f").state.jobs.go;
    if (job.status !== "running") return { job, steps: state(app, "f").state.steps };
    // The progress stream ends when the job does: wait on it, not on a clock.
    await (await app.request("/fetcher/run/f/step/go/progress")).text();
  }
}

Deno.test("a fetch to a host neither the workflow nor the user allowed is refused, and nothing reaches it", async () => {
  await using site = startTestSite();
  const app = testApp({ plugins: withPlugins(["080_fetcher.tsx", fetcher(["api.example.com"])]) });
  try {
    const { job } = await fetchWith(app, `${site.origin}/about`);
    assert.equal(job.status, "failed");
    assert.match(job.note, /its host is not on the list this workflow may reach/);
    assert.equal(site.hits.length, 0, "the site got no request");
    const card = await (await app.request("/fetcher/run/f/step/go", { htmx: true })).text();
    assert.match(card, /This work failed: .*not on the list/);
    assert.match(card, /Run it again/);
  } finally {
    app.close();
  }
});

Deno.test("a workflow that declares a loopback host still cannot reach it: only hosts the person named may be private", async () => {
  await using site = startTestSite();
  const app = testApp({ plugins: withPlugins(["080_fetcher.tsx", fetcher([site.host])]) });
  try {
    const { job } = await fetchWith(app, `${site.origin}/about`);
    assert.equal(job.status, "failed");
    assert.match(job.note, /points to a local or private network address/);
    assert.equal(site.hits.length, 0);
  } finally {
    app.close();
  }
});

/** A loopback port nothing listens on (bound, then released). */
function closedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

Deno.test("a host the user allowed is reached, and another port of it is another host, refused", async () => {
  await using site = startTestSite();
  const closed = closedPort();
  const app = testApp({
    plugins: withPlugins(["080_fetcher.tsx", fetcher([])]),
    config: { allowNetHosts: [site.host, `127.0.0.1:${closed}`] },
  });
  try {
    const ok = await fetchWith(app, `${site.origin}/about`);
    assert.equal(ok.job.status, "done", ok.job.note);
    assert.equal(ok.steps.go.status, 200);
    assert.match(String(ok.steps.go.body), /About us/);
    assert.deepEqual(site.hits.map((h) => h.path), ["/about"]);
    // Another port on the same address is another host.
    const other = await fetchWith(app, `http://127.0.0.1:9/`);
    assert.equal(other.job.status, "failed");
    assert.match(other.job.note, /not on the list/);
    // An allowed host where nothing listens: the card says the connection was refused.
    const refused = await fetchWith(app, `http://127.0.0.1:${closed}/`);
    assert.equal(refused.job.status, "failed");
    assert.match(refused.job.note, /the server refused the connection/);
  } finally {
    app.close();
  }
});

Deno.test("the site inspector refuses a start page whose host is not allowed, saying how to allow it", async () => {
  const app = testApp();
  try {
    await app.post("/site-inspector/start", { key: "s" });
    const res = await app.post("/site-inspector/run/s/step/site", {
      version: String(state(app, "s").version),
      url: "https://example.org/",
      maxPages: "10",
      timeout: "5",
      checks: ["title"],
    });
    assert.equal(res.status, 422);
    assert.match(await res.text(), /Start it with --net-host example.org/);
  } finally {
    app.close();
  }
});

Deno.test("--allow-net-host and CARDFLOW_ALLOW_NET_HOSTS add hosts; a bad pattern stops start-up", () => {
  const source = (args: string[], env: Record<string, string> = {}) => ({
    args,
    env,
    standalone: false,
    execPath: "/x",
    cwd: "/tmp",
  });
  const parsed = parseConfig(source(
    ["--allow-net-host", "Example.com", "--allow-net-host=127.0.0.1:8080"],
    { CARDFLOW_ALLOW_NET_HOSTS: "*.wikipedia.org, api.example.com" },
  ));
  assert.equal(parsed.kind, "run");
  if (parsed.kind === "run") {
    assert.deepEqual(parsed.config.allowNetHosts, [
      "*.wikipedia.org",
      "api.example.com",
      "example.com",
      "127.0.0.1:8080",
    ]);
  }
  assert.throws(() => parseConfig(source(["--allow-net-host", "http://x/"])), /not a host like/);
  const none = parseConfig(source([]));
  assert.ok(none.kind === "run" && none.config.allowNetHosts.length === 0);
});
