import assert from "node:assert/strict";
import { PluginError } from "@/pipeline/base.ts";
import { loadPlugins, parsePluginFile } from "@/pipeline/load.ts";
import { definePage } from "@/pipeline/mod.ts";
import { PLUGINS } from "@/plugins/manifest.gen.ts";
import { testApp } from "./helpers/app.ts";

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
