/**
 * The asset table: embedded files with content-hash URLs, and the large
 * libraries loaded only when a page first asks for one.
 */
import assert from "node:assert/strict";
import { createAssets } from "@/lib/assets.ts";
import { testApp } from "./helpers/app.ts";

Deno.test("a lazy file is loaded once, on its first request, and served as its bytes", async () => {
  let loads = 0;
  const assets = createAssets({ "app.css": "body{}" }, {
    lazy: {
      "big.js": () => {
        loads++;
        return Promise.resolve("console.log('é');");
      },
    },
  });
  // Drawing a page names the file without loading it.
  assert.equal(assets.url("big.js"), "/static/big.js");
  assert.match(assets.url("app.css"), /^\/static\/app\.css\?v=\w+$/);
  assert.equal(loads, 0);
  const [a, b] = await Promise.all([assets.get("big.js"), assets.get("big.js")]);
  assert.equal(loads, 1);
  assert.equal(a, b);
  assert.ok(a!.body instanceof Uint8Array);
  assert.equal(new TextDecoder().decode(a!.body as Uint8Array), "console.log('é');");
  assert.equal(a!.type, "text/javascript; charset=utf-8");
  await assets.get("big.js");
  assert.equal(loads, 1);
});

Deno.test("a lazy file that failed to load is tried again on the next request", async () => {
  let calls = 0;
  const assets = createAssets({}, {
    lazy: {
      "flaky.js": () => ++calls === 1 ? Promise.reject(new Error("busy")) : Promise.resolve("ok"),
    },
  });
  await assert.rejects(assets.get("flaky.js"), /busy/);
  const asset = await assets.get("flaky.js");
  assert.equal(new TextDecoder().decode(asset!.body as Uint8Array), "ok");
  assert.equal(calls, 2);
});

Deno.test("the diagram library answers unversioned, revalidated by its ETag", async () => {
  const app = testApp();
  try {
    const page = await (await app.request("/", { headers: { accept: "text/html" } })).text();
    assert.match(page, /"\/static\/mermaid\.min\.js"/);
    const res = await app.request("/static/mermaid.min.js");
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("cache-control"), "no-cache");
    assert.equal(res.headers.get("content-type"), "text/javascript; charset=utf-8");
    const body = new Uint8Array(await res.arrayBuffer());
    const file = await Deno.readFile(new URL("../static/vendor/mermaid.min.js", import.meta.url));
    assert.deepEqual(body, file);
    const etag = res.headers.get("etag")!;
    const again = await app.request("/static/mermaid.min.js", {
      headers: { "if-none-match": etag },
    });
    assert.equal(again.status, 304);
    await again.body?.cancel();
  } finally {
    await app.close();
  }
});
