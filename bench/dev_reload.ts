/**
 * @module
 * The dev loop's save-to-reload times: `deno task dev` on a copy of the
 * project, a real browser on a page, and the time from writing a file to the
 * page showing the change (a plugin title; a stylesheet rule). Median of 3.
 */

import { chromium } from "playwright-core";
import { browserPath, CHROMIUM_ARGS } from "../tests/helpers/browser.ts";
import { copyProject, startDev } from "../tests/helpers/process.ts";

const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Save-to-reload for a code change and a CSS change, in ms. */
export async function measureDevReload(): Promise<{ codeMs: number; cssMs: number }> {
  const executablePath = browserPath();
  if (!executablePath) throw new Error("no Chromium");
  const dir = await Deno.makeTempDir({ prefix: "cardflow-devbench-" });
  await copyProject(dir);
  const dev = await startDev(dir);
  const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
  try {
    const url = dev.url;
    const page = await browser.newPage();
    await page.goto(dev.loginUrl);
    await page.goto(url + "/introduction");
    const plugin = `${dir}/plugins/010_introduction.tsx`;
    const original = await Deno.readTextFile(plugin);
    const code: number[] = [];
    for (let i = 1; i <= 3; i++) {
      const t0 = performance.now();
      await Deno.writeTextFile(
        plugin,
        original.replace('title: "Introduction"', `title: "Intro ${i}"`),
      );
      await page.locator("#app-menu a", { hasText: `Intro ${i}` }).waitFor({ timeout: 15_000 });
      code.push(performance.now() - t0);
      await page.waitForTimeout(300);
    }
    const css = `${dir}/static/app.css`;
    const sheet = await Deno.readTextFile(css);
    const style: number[] = [];
    for (let i = 1; i <= 3; i++) {
      const t0 = performance.now();
      await Deno.writeTextFile(css, `${sheet}\nbody { outline: 1px solid rgb(${i}, 2, 3); }\n`);
      await page.waitForFunction(
        `getComputedStyle(document.body).outlineColor === "rgb(${i}, 2, 3)"`,
        null,
        { timeout: 15_000 },
      );
      style.push(performance.now() - t0);
    }
    return { codeMs: median(code), cssMs: median(style) };
  } finally {
    await browser.close();
    await dev.stop();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}
