import assert from "node:assert/strict";
import { Hono } from "hono";
import { testApp } from "./helpers/app.ts";

Deno.test("the home page is a full page with the nav, main area and chat panel", async () => {
  const app = testApp();
  try {
    const res = await app.request("/", { headers: { accept: "text/html" } });
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.match(html, /^<!DOCTYPE html>/);
    assert.match(html, /<nav id="app-menu"/);
    assert.match(html, /<main id="main"/);
    assert.match(html, /<aside id="chat"/);
    assert.match(html, /id="poke"/);
    assert.match(html, /Introduction/);
    assert.match(html, /\/static\/htmx\.min\.js\?v=/);
  } finally {
    await app.close();
  }
});

Deno.test("the same URL answers an htmx request with the fragment alone", async () => {
  const app = testApp();
  try {
    const res = await app.request("/introduction", { htmx: true });
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.doesNotMatch(html, /<html|<nav id="app-menu"/);
    assert.match(html, /<title>Introduction · Cardflow<\/title>/);
    assert.match(html, /<h1>Introduction<\/h1>/);
    const full = await (await app.request("/introduction")).text();
    assert.match(full, /<nav id="app-menu"/);
    assert.match(full, /<h1>Introduction<\/h1>/);
    // An htmx request that targets the whole body gets the whole page.
    const boosted = await app.request("/introduction", {
      htmx: true,
      headers: { "hx-request-type": "full" },
    });
    assert.match(await boosted.text(), /<nav id="app-menu"/);
  } finally {
    await app.close();
  }
});

Deno.test("a foreign Host header is refused with 403 (DNS rebinding)", async () => {
  const app = testApp();
  try {
    for (
      const host of ["evil.example", "evil.example:5001", "127.0.0.2", "localhost.evil.example"]
    ) {
      const res = await app.request("/", { headers: { host } });
      assert.equal(res.status, 403, host);
      assert.match(await res.text(), /is not allowed/);
    }
    for (const host of ["localhost:5001", "127.0.0.1:5001", "[::1]:5001", "LOCALHOST"]) {
      assert.equal((await app.request("/", { headers: { host } })).status, 200, host);
    }
  } finally {
    await app.close();
  }
});

Deno.test("the refusal page shows a foreign Host as text, escaped by lib/html.ts", async () => {
  const app = testApp();
  try {
    const res = await app.request("/", { headers: { host: `x"><img src=y onerror=z>` } });
    assert.equal(res.status, 403);
    const html = await res.text();
    assert.doesNotMatch(html, /<img/);
    assert.match(html, /Host &quot;x&quot;&gt;&lt;img src=y onerror=z&gt;&quot; is not allowed/);
  } finally {
    await app.close();
  }
});

Deno.test("--allowed-host adds a name to the accepted hosts", async () => {
  const app = testApp({ config: { allowedHosts: ["box.local"] } });
  try {
    assert.equal((await app.request("/", { headers: { host: "box.local:5001" } })).status, 200);
  } finally {
    await app.close();
  }
});

Deno.test("cross-site state changes are refused and same-origin ones accepted", async () => {
  const app = testApp();
  try {
    const post = (headers: Record<string, string>) =>
      app.request("/environment", {
        method: "POST",
        headers: { ...headers, "content-type": "application/x-www-form-urlencoded" },
        body: "to=bogus",
      });
    assert.equal((await post({ origin: "http://evil.example" })).status, 403);
    assert.equal((await post({ origin: "null" })).status, 403);
    assert.equal((await post({ origin: "http://localhost:3000" })).status, 403);
    assert.equal((await post({ "sec-fetch-site": "cross-site" })).status, 403);
    assert.equal((await post({ "sec-fetch-site": "same-site" })).status, 403);
    // Same origin reaches the route, which then rejects the bad value itself.
    const ok = await post({ origin: "http://localhost:5001", "sec-fetch-site": "same-origin" });
    assert.equal(ok.status, 422);
    assert.match(await ok.text(), /Unknown environment/);
  } finally {
    await app.close();
  }
});

Deno.test("a WebSocket upgrade from another origin is refused", async () => {
  const app = testApp();
  try {
    const res = await app.request("/ws", {
      headers: { upgrade: "websocket", connection: "upgrade", origin: "http://evil.example" },
    });
    assert.equal(res.status, 403);
  } finally {
    await app.close();
  }
});

Deno.test("an oversize body gets 413 with a clear message, declared or streamed", async () => {
  const app = testApp({ config: { maxBodyBytes: 2048 } });
  try {
    const big = "to=" + "x".repeat(5000);
    const declared = await app.request("/environment", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: big,
    });
    assert.equal(declared.status, 413);
    assert.match(await declared.text(), /too large/);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(big));
        controller.close();
      },
    });
    const streamed = await app.request("/environment", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: stream,
    });
    assert.equal(streamed.status, 413);
    assert.match(await streamed.text(), /too large/);
    // Under the cap, a streamed form reaches the route whole.
    const small = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode("to=nowhere"));
        controller.close();
      },
    });
    const read = await app.request("/environment", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: small,
    });
    assert.equal(read.status, 422);
    assert.match(await read.text(), /Unknown environment "nowhere"/);
  } finally {
    await app.close();
  }
});

Deno.test("responses carry no CORS headers and do carry hardening headers", async () => {
  const app = testApp();
  try {
    const res = await app.request("/", { headers: { origin: "http://evil.example" } });
    for (const name of res.headers.keys()) assert.doesNotMatch(name, /^access-control-/);
    assert.equal(res.headers.get("x-content-type-options"), "nosniff");
    assert.equal(res.headers.get("x-frame-options"), "DENY");
    await res.body?.cancel();
  } finally {
    await app.close();
  }
});

Deno.test("an htmx request that fails gets an error fragment retargeted to the flash area", async () => {
  const app = testApp();
  try {
    const res = await app.request("/no-such-page", { htmx: true });
    assert.equal(res.status, 404);
    assert.equal(res.headers.get("hx-retarget"), "#flash");
    const html = await res.text();
    assert.match(html, /class="notice error"/);
    assert.match(html, /Nothing here: \/no-such-page/);
    const page = await app.request("/no-such-page", { headers: { accept: "text/html" } });
    assert.equal(page.status, 404);
    assert.match(await page.text(), /<nav id="app-menu"/);
  } finally {
    await app.close();
  }
});

Deno.test("static files are served with a content hash and answer 304 to a matching ETag", async () => {
  const app = testApp();
  try {
    const html = await (await app.request("/")).text();
    const url = html.match(/\/static\/htmx\.min\.js\?v=[a-z0-9]+/)![0];
    const res = await app.request(url);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type")!, /javascript/);
    assert.match(res.headers.get("cache-control")!, /immutable/);
    const etag = res.headers.get("etag")!;
    assert.ok((await res.text()).length > 10_000);
    const again = await app.request("/static/htmx.min.js", { headers: { "if-none-match": etag } });
    assert.equal(again.status, 304);
  } finally {
    await app.close();
  }
});

Deno.test("path traversal on static files is a 404", async () => {
  const app = testApp();
  try {
    for (
      const path of [
        "/static/../deno.json",
        "/static/%2e%2e/deno.json",
        "/static/..%2fdeno.json",
        "/static/%2e%2e%2fmain.ts",
        "/static/app.css/../../deno.json",
        "/static/mod.ts",
      ]
    ) {
      const res = await app.request(path);
      assert.equal(res.status, 404, path);
      assert.doesNotMatch(await res.text(), /"tasks"|import /, path);
    }
  } finally {
    await app.close();
  }
});

Deno.test("the environment switch moves between two databases and reset empties development", async () => {
  const dataDir = await Deno.makeTempDir();
  const app = testApp({ config: { dataDir } });
  try {
    const rt = app.runtime;
    assert.equal(rt.deps().databases.current, "development");
    rt.services().store.set("marker", "dev");
    const res = await app.post("/environment", { to: "production" });
    assert.equal(res.status, 204);
    assert.equal(res.headers.get("hx-refresh"), "true");
    assert.equal(rt.deps().databases.current, "production");
    assert.equal(rt.services().store.get("marker"), undefined);
    assert.match(await (await app.request("/")).text(), /Production/);
    assert.equal((await app.post("/environment/reset", {})).status, 409);
    await app.post("/environment", { to: "development" });
    assert.equal(rt.services().store.get("marker"), "dev");
    assert.equal((await app.post("/environment/reset", {})).status, 204);
    assert.equal(rt.services().store.get("marker"), undefined);
    assert.equal(Deno.readTextFileSync(`${dataDir}/environment`).trim(), "development");
  } finally {
    await app.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("a route module's sub-app is mounted at the path its file name gives", async () => {
  const { routePath } = await import("../scripts/manifest.ts");
  assert.equal(routePath("index.tsx"), "/");
  assert.equal(routePath("static.ts"), "/static");
  assert.equal(routePath("dev/events.ts"), "/dev/events");
  assert.equal(routePath("history/index.tsx"), "/history");
  assert.ok(new Hono());
});

Deno.test("the stylesheet's blocks are all closed (a merged section cannot swallow the rest)", () => {
  const css = Deno.readTextFileSync(new URL("../static/app.css", import.meta.url));
  let depth = 0;
  for (const [i, line] of css.split("\n").entries()) {
    depth += (line.match(/\{/g)?.length ?? 0) - (line.match(/\}/g)?.length ?? 0);
    assert.ok(depth >= 0 && depth <= 2, `line ${i + 1} leaves the nesting at ${depth}`);
  }
  assert.equal(depth, 0);
});
