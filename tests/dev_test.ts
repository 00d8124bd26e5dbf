import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import { classify } from "../scripts/dev.ts";
import { testApp } from "./helpers/app.ts";
import { browserPath, CHROMIUM_ARGS } from "./helpers/browser.ts";
import { copyProject, startDev } from "./helpers/process.ts";

Deno.test("the dev endpoints answer 404 and no dev script is served outside dev mode", async () => {
  const app = testApp();
  try {
    assert.equal((await app.request("/dev/boot")).status, 404);
    assert.equal((await app.request("/dev/notify", { method: "POST", body: "{}" })).status, 404);
    assert.doesNotMatch(await (await app.request("/")).text(), /dev\.js/);
  } finally {
    app.close();
  }
});

Deno.test("in dev mode only the supervisor's token may notify pages", async () => {
  const app = testApp({ config: { dev: true } });
  try {
    assert.match(await (await app.request("/")).text(), /\/static\/dev\.js/);
    assert.equal((await app.request("/dev/boot")).status, 200);
    const res = await app.request("/dev/notify", {
      method: "POST",
      headers: { "x-cardflow-dev-token": "guess" },
      body: '{"event":"dev:reload"}',
    });
    assert.equal(res.status, 403);
  } finally {
    app.close();
  }
});

Deno.test("the supervisor sorts saves into restarts, stylesheet swaps and reloads, ignoring editor files", () => {
  assert.deepEqual(classify(["/p/plugins/010_a.tsx", "/p/plugins/010_a.tsx"], false), {
    kind: "code",
    files: ["/p/plugins/010_a.tsx"],
    added: false,
  });
  assert.deepEqual(classify(["/p/static/app.css"], false), { kind: "css" });
  assert.deepEqual(classify(["/p/static/app.js"], false), { kind: "reload" });
  assert.deepEqual(
    classify([
      "/p/lib/.app.ts.swp",
      "/p/lib/x.ts~",
      "/p/data/cardflow.db",
      "/p/routes/manifest.gen.ts",
    ], false),
    { kind: "none" },
  );
});

const executablePath = browserPath();
Deno.test({
  name: executablePath
    ? "deno task dev: a saved title shows without touching the browser, a syntax error shows an overlay over the working page, a fix clears it, a new plugin file appears, CSS swaps in place"
    : "deno task dev reloads the browser (skipped: no Chromium)",
  ignore: !executablePath && Deno.env.get("CI") !== "true",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "cardflow-dev-" });
    await copyProject(dir);
    const dev = await startDev(dir);
    const browser = await chromium.launch({ executablePath: executablePath!, args: CHROMIUM_ARGS });
    try {
      const url = dev.url;
      const page = await browser.newPage();
      await page.goto(dev.loginUrl);
      await page.goto(url + "/introduction");
      await page.locator("#app-menu a", { hasText: "Introduction" }).waitFor();
      const plugin = `${dir}/plugins/010_introduction.tsx`;
      const original = await Deno.readTextFile(plugin);

      await Deno.writeTextFile(
        plugin,
        original.replace('title: "Introduction"', 'title: "Welcome tour"'),
      );
      await page.locator("#app-menu a", { hasText: "Welcome tour" }).waitFor({ timeout: 10_000 });

      await Deno.writeTextFile(
        plugin,
        original.replace('title: "Introduction"', 'title: "Broken" +'),
      );
      const overlay = page.locator("#dev-overlay");
      await overlay.waitFor({ timeout: 10_000 });
      assert.match(await overlay.textContent() ?? "", /plugins\/010_introduction\.tsx:\d+/);
      // The old server still serves: htmx navigation works under the overlay.
      await page.evaluate("htmx.ajax('GET', '/tasks', { target: '#main' })");
      await page.locator("#tasks-app h1").waitFor();

      await Deno.writeTextFile(
        plugin,
        original.replace('title: "Introduction"', 'title: "Fixed tour"'),
      );
      await page.locator("#app-menu a", { hasText: "Fixed tour" }).waitFor({ timeout: 10_000 });
      assert.equal(await page.locator("#dev-overlay").count(), 0);

      // A new plugin file: the manifest is regenerated before the restart and the app appears.
      await Deno.writeTextFile(
        `${dir}/plugins/090_extra.tsx`,
        original.replace('name: "introduction"', 'name: "extra"').replace(
          'title: "Introduction"',
          'title: "Extra page"',
        ),
      );
      await page.locator("#app-menu a", { hasText: "Extra page" }).waitFor({ timeout: 10_000 });
      assert.match(await Deno.readTextFile(`${dir}/plugins/manifest.gen.ts`), /090_extra\.tsx/);

      await page.evaluate(() => ((globalThis as Record<string, unknown>).kept = true));
      const css = `${dir}/static/app.css`;
      await Deno.writeTextFile(
        css,
        (await Deno.readTextFile(css)) + "\nbody { outline: 3px solid rgb(1, 2, 3); }\n",
      );
      await page.waitForFunction(
        "getComputedStyle(document.body).outlineColor === 'rgb(1, 2, 3)'",
        null,
        { timeout: 10_000 },
      );
      assert.equal(
        await page.evaluate(() => (globalThis as Record<string, unknown>).kept),
        true,
        "the CSS swapped without a reload",
      );
    } finally {
      await browser.close();
      await dev.stop();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});
