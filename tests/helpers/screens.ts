/**
 * @module
 * Screenshots for looking at what a browser test built: each call writes the
 * page in light and dark at 1400 and 800 px wide to `dist/screens/` (or
 * `CARDFLOW_SCREENS`), named after the step, for a person to look at.
 */

import type { Page } from "playwright-core";

const WIDTHS = [1400, 800];
const SCHEMES = ["light", "dark"] as const;

/** The folder screenshots go to. */
export function screensDir(): string {
  return Deno.env.get("CARDFLOW_SCREENS") ??
    new URL("../../dist/screens/", import.meta.url).pathname;
}

/** Options for {@linkcode screenshot}. */
export interface ScreenshotOptions {
  /** Widths to take (1400 and 800 by default). */
  widths?: number[];
}

/** Save `page` as `<name>-<scheme>-<width>.png` in every scheme and width, then restore it. */
export async function screenshot(
  page: Page,
  name: string,
  options: ScreenshotOptions = {},
): Promise<string[]> {
  const dir = screensDir();
  await Deno.mkdir(dir, { recursive: true });
  const size = page.viewportSize() ?? { width: 1280, height: 800 };
  const files: string[] = [];
  // A full-page picture of a scrolled page draws the sticky top bar where the scroll left it,
  // over the content: taken from the top, and the place given back afterwards.
  const scrolled = await page.evaluate(
    "(() => { const at = scrollY; scrollTo(0, 0); return at; })()",
  );
  try {
    for (const scheme of SCHEMES) {
      await page.emulateMedia({ colorScheme: scheme });
      for (const width of options.widths ?? WIDTHS) {
        await page.setViewportSize({ width, height: 900 });
        // Two frames, so the new width and scheme are painted below the fold too.
        await page.evaluate(
          "new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))",
        );
        const path = `${dir}/${name}-${scheme}-${width}.png`;
        await page.screenshot({ path, fullPage: true, animations: "disabled" });
        files.push(path);
      }
    }
  } finally {
    await page.emulateMedia({ colorScheme: "light" });
    await page.setViewportSize(size);
    await page.evaluate(`scrollTo(0, ${Number(scrolled)})`);
  }
  return files;
}
