/**
 * @module
 * Screenshots for looking at what a browser test built: each call writes the
 * page in light and dark at 1400 and 800 px wide to `dist/screens/` (or
 * `CARDFLOW_SCREENS`), named after the step, for a person to look at. A
 * picture of the chat opens the chat's drawer where the chat is folded away.
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
  /**
   * A picture of the chat: where the chat is folded into a drawer (below
   * 900 px), the drawer is opened for the picture and closed again after.
   */
  chat?: boolean;
}

const FRAMES = "new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))";

/** Open the chat drawer if the chat is folded away; true if it was. */
async function openChat(page: Page): Promise<boolean> {
  // The toggle shows only where the chat is folded (the chat itself fades out after a resize).
  const toggle = page.locator("#chat-toggle");
  if (!(await toggle.isVisible()) || (await toggle.getAttribute("aria-expanded")) === "true") {
    return false;
  }
  await toggle.click();
  await page.waitForFunction(() => {
    // deno-lint-ignore no-explicit-any
    const chat = (globalThis as any).document.getElementById("chat");
    return chat && chat.checkVisibility() && getComputedStyle(chat).transform === "none";
  });
  return true;
}

/** Close the chat drawer {@linkcode openChat} opened. */
async function closeChat(page: Page): Promise<void> {
  await page.keyboard.press("Escape");
  await page.locator("#chat").waitFor({ state: "hidden" });
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
        await page.evaluate(FRAMES);
        const opened = options.chat ? await openChat(page) : false;
        const path = `${dir}/${name}-${scheme}-${width}.png`;
        await page.screenshot({ path, fullPage: true, animations: "disabled" });
        files.push(path);
        if (opened) await closeChat(page);
      }
    }
  } finally {
    await page.emulateMedia({ colorScheme: "light" });
    await page.setViewportSize(size);
    await page.evaluate(`scrollTo(0, ${Number(scrolled)})`);
  }
  return files;
}
