/**
 * Keeping the person's place outside the lists: after a workflow step is
 * submitted the next form (or Finalize) has the focus and is in view, a
 * job's progress scrolls into view, and Ctrl+K ranks title matches above
 * description matches.
 */
// deno-lint-ignore-file no-explicit-any -- code evaluated in the page has no DOM types here
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { browserTest, pageHeaders, postAsPage } from "./helpers/browser.ts";

/** Wait until the focus is on an element matching `selector` that lies within the window. */
async function focusedInView(page: Page, selector: string): Promise<void> {
  await page.waitForFunction((s) => {
    const d = (globalThis as any).document;
    const el = d.activeElement;
    if (!el || !el.matches(s)) return false;
    const r = el.getBoundingClientRect();
    return r.top >= 0 && r.bottom <= innerHeight;
  }, selector);
}

browserTest(
  "after each step the next form has the focus and is in view, and after the last one Finalize",
  async ({ page, url }) => {
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.setViewportSize({ width: 800, height: 600 });
    await page.goto(url + "/showcase");
    await page.locator('input[name="key"]').press("Enter");
    const steps: [string, string][] = [
      ["title", "A benchmark"],
      ["notes", "# Notes"],
      ["count", "3"],
      ["colour", ""],
      ["urgent", ""],
      ["due", ""],
    ];
    for (const [id, value] of steps) {
      await focusedInView(page, `[id^="field-${id}-"]`);
      if (id === "colour") await page.keyboard.press("ArrowDown");
      else if (id === "due") await page.keyboard.type("12242026");
      else if (value) await page.keyboard.type(value);
      // Enter submits a one-line field; a textarea, a select or a checkbox needs its Submit button.
      if (id === "notes" || id === "urgent" || id === "colour") {
        await page.keyboard.press("Tab");
        await page.keyboard.press("Enter");
      } else {
        await page.keyboard.press("Enter");
      }
      await page.locator(`#step-${id}.done`).waitFor();
    }
    await focusedInView(page, '[id^="field-summary-"]');
    // The newest card is a step further down the page than the window shows from the top.
    assert.ok(await page.evaluate(() => (globalThis as any).scrollY > 0), "the page followed");

    await page.goto(url + "/hello");
    await page.locator('input[name="key"]').press("Enter");
    await focusedInView(page, '[id^="field-step_01-"]');
    await page.keyboard.type("Ada");
    await page.keyboard.press("Enter");
    await focusedInView(page, '[id^="field-step_02-"]');
    await page.keyboard.press("Enter");
    await focusedInView(page, "#step-finish button");
    await page.keyboard.press("Enter");
    await page.locator("#step-finish h2", { hasText: "Finalized" }).waitFor();
    assert.deepEqual(errors, []);
  },
);

browserTest(
  "a long-running step's progress is scrolled into view when it starts",
  async ({ page, url, server }) => {
    await page.setViewportSize({ width: 800, height: 500 });
    const post = (path: string, form: Record<string, string>) => postAsPage(server, path, form);
    await post("/showcase/start", { key: "long" });
    const values: [string, Record<string, string>][] = [
      ["title", { title: "A benchmark" }],
      ["notes", { notes: "n" }],
      ["count", { count: "3" }],
      ["colour", { colour: "green" }],
      ["urgent", {}],
      ["due", { due: "2026-12-24" }],
      ["summary", { summary: "s" }],
      ["table", { items: "a, 1" }],
      ["code", { code: "1" }],
    ];
    let version = 1;
    for (const [id, form] of values) {
      assert.equal(
        await post(`/showcase/run/long/step/${id}`, { version: String(version++), ...form }),
        200,
        id,
      );
    }
    const upload = new FormData();
    upload.append("version", String(version++));
    upload.append("file", new File(["x"], "x.txt"));
    const res = await fetch(`${url}/showcase/run/long/step/upload`, {
      method: "POST",
      headers: pageHeaders(server),
      body: upload,
    });
    await res.body?.cancel();
    await page.goto(url + "/showcase/run/long");
    await focusedInView(page, '[id^="field-crunch-"]');
    await page.keyboard.press("Control+a");
    await page.keyboard.type("30");
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => {
      const bar = (globalThis as any).document.querySelector(".job-progress progress");
      if (!bar) return false;
      const r = bar.getBoundingClientRect();
      return r.top >= 0 && r.bottom <= innerHeight;
    });
  },
);

browserTest(
  "Ctrl+K ranks apps whose title matches above those whose description does",
  async ({ page, url }) => {
    await page.goto(url + "/");
    await page.keyboard.press("Control+k");
    await page.keyboard.type("task");
    const shown = await page.locator("#app-search li:not([hidden]) a").evaluateAll((links) =>
      links.map((a) => (a as any).getAttribute("href"))
    );
    assert.equal(shown[0], "/tasks", `ranked: ${shown.join(", ")}`);
    assert.ok(shown.includes("/profiles"), "a description match still shows, lower");
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/tasks$/);
    // Opened again, the list is back in menu order.
    await page.keyboard.press("Control+k");
    const first = await page.locator("#app-search li:not([hidden]) a").first().getAttribute(
      "href",
    );
    assert.equal(first, "/introduction");
  },
);
