/**
 * Hostile input against every route the app has, found from the router
 * itself, so routes added later are covered without editing this file.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { dump, testApp } from "./helpers/app.ts";

const WRITE_METHODS = ["POST", "PUT", "PATCH", "DELETE"];

function concrete(path: string, value = "1"): string {
  return path.replace(/:[A-Za-z_]+(\{[^}]*\})?/g, value).replace(/\/\*$/, "/x");
}

function writeRoutes(app: ReturnType<typeof testApp>): { method: string; path: string }[] {
  const seen = new Set<string>();
  const routes = [];
  for (const route of app.runtime.app().routes) {
    const methods = route.method === "ALL" ? WRITE_METHODS : [route.method];
    for (const method of methods) {
      if (!WRITE_METHODS.includes(method)) continue;
      const key = `${method} ${route.path}`;
      if (seen.has(key)) continue;
      seen.add(key);
      routes.push({ method, path: route.path });
    }
  }
  return routes;
}

Deno.test("every state-changing route refuses cross-site requests and changes nothing", async () => {
  const app = testApp();
  try {
    const routes = writeRoutes(app);
    assert.ok(routes.length >= 3, "the router lists the app's write routes");
    const hostile: Record<string, string>[] = [
      { origin: "http://evil.example" },
      { origin: "null" },
      { "sec-fetch-site": "cross-site" },
      { "sec-fetch-site": "same-site", origin: "http://localhost:5001" },
    ];
    for (const { method, path } of routes) {
      for (const headers of hostile) {
        const before = dump(app.runtime.db());
        const res = await app.request(concrete(path), {
          method,
          headers: { ...headers, "content-type": "application/x-www-form-urlencoded" },
          body: "name=x&to=production&id=1",
        });
        assert.equal(res.status, 403, `${method} ${path} with ${JSON.stringify(headers)}`);
        await res.body?.cancel();
        assert.equal(dump(app.runtime.db()), before, `${method} ${path} changed data`);
      }
    }
  } finally {
    app.close();
  }
});

Deno.test("every route refuses a foreign Host header", async () => {
  const app = testApp();
  try {
    for (const route of app.runtime.app().routes) {
      const method = route.method === "ALL" ? "GET" : route.method;
      const res = await app.request(concrete(route.path), {
        method,
        headers: { host: "attacker.example:5001", origin: "http://attacker.example:5001" },
      });
      assert.equal(res.status, 403, `${method} ${route.path}`);
      await res.body?.cancel();
    }
  } finally {
    app.close();
  }
});

const fieldName = fc.oneof(
  fc.constantFrom(
    "name",
    "title",
    "value",
    "id",
    "key",
    "version",
    "to",
    "order",
    "done",
    "step",
    "message",
    "q",
  ),
  fc.string({ maxLength: 20 }),
  fc.string({ unit: "binary", maxLength: 8 }),
);
const fieldValue = fc.oneof(
  fc.string({ maxLength: 50 }),
  fc.string({ unit: "binary", maxLength: 200 }),
  fc.constantFrom(
    "",
    "0",
    "-1",
    "1e309",
    "NaN",
    "true",
    "null",
    "<script>alert(1)</script>",
    "'; DROP TABLE store; --",
  ),
  fc.integer().map(String),
  fc.nat({ max: 200_000 }).map((n) => "x".repeat(n)),
);
const encoding = fc.constantFrom("urlencoded", "multipart", "json", "bytes");

function body(kind: string, fields: [string, string][]): { body: BodyInit; type?: string } {
  if (kind === "urlencoded") {
    return { body: new URLSearchParams(fields), type: "application/x-www-form-urlencoded" };
  }
  if (kind === "multipart") {
    const form = new FormData();
    for (const [k, v] of fields) form.append(k, v);
    return { body: form };
  }
  if (kind === "json") {
    return { body: JSON.stringify(Object.fromEntries(fields)), type: "application/json" };
  }
  const bytes = new Uint8Array(fields.length * 7 + 3);
  crypto.getRandomValues(bytes);
  return { body: bytes, type: "application/x-www-form-urlencoded" };
}

Deno.test("random forms on every write route never get a 500 and rejected ones change nothing", async () => {
  const app = testApp();
  try {
    const routes = writeRoutes(app);
    const runs = Deno.env.get("CARDFLOW_FUZZ_RUNS")
      ? Number(Deno.env.get("CARDFLOW_FUZZ_RUNS"))
      : 25;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        fc.constantFrom(...WRITE_METHODS),
        fc.oneof(
          fc.constant("1"),
          fc.constant("999999"),
          fc.string({ minLength: 1, maxLength: 12 }),
        ),
        fc.array(fc.tuple(fieldName, fieldValue), { maxLength: 6 }),
        encoding,
        fc.boolean(),
        fc.boolean(),
        async (route, method, param, fields, kind, htmx, ownMethod) => {
          const before = dump(app.runtime.db());
          const { body: payload, type } = body(kind, fields);
          const path = concrete(route.path, encodeURIComponent(param));
          const res = await app.request(path, {
            method: ownMethod ? route.method : method,
            headers: type ? { "content-type": type } : {},
            body: payload,
            htmx,
          });
          const text = await res.text();
          assert.ok(
            res.status < 500,
            `${route.method} ${path} (${kind}) → ${res.status}: ${text.slice(0, 300)}`,
          );
          if (res.status >= 400) {
            assert.equal(
              dump(app.runtime.db()),
              before,
              `${route.method} ${path} → ${res.status} changed data`,
            );
          }
        },
      ),
      { numRuns: routes.length * runs },
    );
  } finally {
    app.close();
  }
});

Deno.test("form fields named after Object's own properties are fields like any other, never a 500", async () => {
  const app = testApp();
  try {
    for (const name of ["toString", "__proto__", "constructor", "hasOwnProperty", "valueOf"]) {
      for (const route of ["/tasks", "/hello/start", "/profiles"]) {
        const before = dump(app.runtime.db());
        const res = await app.post(route, { [name]: "x" });
        assert.ok(res.status < 500, `${route} with ${name}: ${res.status} ${await res.text()}`);
        if (res.status >= 400) assert.equal(dump(app.runtime.db()), before);
      }
    }
  } finally {
    app.close();
  }
});
