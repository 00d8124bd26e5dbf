import assert from "node:assert/strict";
import { PluginError } from "@/pipeline/base.ts";
import { loadPlugins, parsePluginFile } from "@/pipeline/load.ts";
import { definePage } from "@/pipeline/mod.ts";
import { PLUGINS } from "@/plugins/manifest.gen.ts";
import { testApp } from "./helpers/app.ts";
import { netProblems } from "./helpers/net_rule.ts";

const page = (name: string) =>
  definePage({ name, title: "T", description: "D", render: () => "x" });
const load = (entries: { file: string; module: Record<string, unknown> }[]) =>
  loadPlugins(entries, { reserved: ["static"] });

Deno.test("a plugin's file name gives its menu order and slug", () => {
  assert.deepEqual(parsePluginFile("060_tasks.tsx"), { order: 60, slug: "tasks" });
  assert.deepEqual(parsePluginFile("005_my_app.ts"), { order: 5, slug: "my-app" });
  assert.equal(parsePluginFile("tasks.tsx"), undefined);
  const loaded = load([
    { file: "020_b.tsx", module: { default: page("b") } },
    { file: "010_a.tsx", module: { default: page("a") } },
    { file: "_draft.tsx", module: {} },
    { file: "xx_old.tsx", module: {} },
  ]);
  assert.deepEqual(loaded.map((p) => p.slug), ["a", "b"]);
});

Deno.test("a broken plugin stops start-up with its file name and the problem", () => {
  const cases: [{ file: string; module: Record<string, unknown> }[], RegExp][] = [
    [[{ file: "010_a.tsx", module: {} }], /plugins\/010_a\.tsx: no default export/],
    [
      [{ file: "010_a.tsx", module: { default: { ...page("a"), kind: "spaceship" } } }],
      /unknown kind "spaceship"/,
    ],
    [
      [{ file: "010_a.tsx", module: { default: page("b") } }],
      /name "b" does not match the file name's slug "a"/,
    ],
    [[{ file: "010_a.tsx", module: { default: page("a") } }, {
      file: "020_a.tsx",
      module: { default: page("a") },
    }], /plugins\/020_a\.tsx: the slug "a" is used by plugins\/010_a\.tsx too/],
    [[{ file: "010_static.tsx", module: { default: page("static") } }], /taken by a built-in page/],
    [[{ file: "Tasks.tsx", module: { default: page("tasks") } }], /file name must look like/],
    [
      [{ file: "010_a.tsx", module: { default: { ...page("a"), title: "" } } }],
      /"title" must be a non-empty string/,
    ],
    [[{
      file: "010_a.tsx",
      module: { default: { kind: "page", name: "a", title: "A", description: "d" } },
    }], /render\(\) function/],
  ];
  for (const [entries, pattern] of cases) {
    assert.throws(() => load(entries), (error: unknown) => {
      assert.ok(error instanceof PluginError);
      assert.match(error.message, pattern);
      return true;
    });
  }
});

Deno.test("every plugin in plugins/ loads and renders its landing page with status 200", async () => {
  const app = testApp();
  try {
    const slugs = app.runtime.services().plugins.map((p) => p.slug);
    assert.equal(slugs.length, PLUGINS.length);
    for (const slug of slugs) {
      for (const htmx of [false, true]) {
        const res = await app.request(`/${slug}`, { htmx });
        assert.equal(res.status, 200, `/${slug} (htmx: ${htmx})`);
        await res.body?.cancel();
      }
    }
  } finally {
    app.close();
  }
});

Deno.test("no plugin reaches the network around its job's fetch: no global fetch, globalThis.fetch or Deno.connect", async () => {
  const folder = new URL("../plugins/", import.meta.url);
  const problems: string[] = [];
  let read = 0;
  for await (const entry of Deno.readDir(folder)) {
    if (!entry.isFile || !/\.tsx?$/.test(entry.name)) continue;
    const source = await Deno.readTextFile(new URL(entry.name, folder));
    problems.push(...netProblems(`plugins/${entry.name}`, source));
    read++;
  }
  assert.ok(read >= PLUGINS.length, "every plugin file was read");
  assert.deepEqual(problems, [], `\n${problems.join("\n")}\n`);
});

Deno.test("the plugin network rule finds each way around ctx.fetch, and lets the context's fetch through", () => {
  const refused: [string, RegExp][] = [
    ['await fetch("https://example.com/");', /global fetch: use ctx\.fetch/],
    ["const all = urls.map(fetch);", /global fetch/],
    ["export const tools = { fetch };", /global fetch/],
    ['globalThis.fetch("https://example.com/");', /calls globalThis\.fetch: use ctx\.fetch/],
    ['globalThis["fetch"]("https://example.com/");', /globalThis\.fetch/],
    ['window.fetch("/x");', /window\.fetch/],
    ['await Deno.connect({ hostname: "10.0.0.1", port: 80 });', /Deno\.connect: use ctx\.fetch/],
    ['await Deno.connectTls({ hostname: "a", port: 443 });', /Deno\.connectTls/],
    ['new WebSocket("wss://example.com/");', /opens a WebSocket/],
    ['import http from "node:http";', /imports node:http/],
    // Taken from the context, but not in a parameter: it looks like the global one.
    ["const fetch = ctx.fetch; await fetch(url);", /global fetch/],
  ];
  for (const [code, message] of refused) {
    const found = netProblems("plugins/999_sample.tsx", code);
    assert.equal(found.length, 1, `${code}: ${found.join("; ")}`);
    assert.match(found[0]!, message, code);
    assert.match(found[0]!, /^plugins\/999_sample\.tsx:1: /);
  }
  const allowed = [
    "async function run(values, ctx) { return await ctx.fetch(String(values.url)); }",
    "const run = async (_v, context) => (await context.fetch(url)).text();",
    "async function run(_v, { fetch, report }) { report(0, 1); return await fetch(url); }",
    "async function run(_v, { fetch: get }) { return await get(url); }",
    'const help = "Cardflow may fetch(only) these"; // fetch("x") in a comment',
    "const card = <p>We fetch pages with fetch() in jobs.</p>;",
    "const spec = { fetch: true, connect: 1 }; spec.fetch; x.Deno.connect;",
  ];
  for (const code of allowed) {
    assert.deepEqual(netProblems("plugins/999_sample.tsx", code), [], code);
  }
});
