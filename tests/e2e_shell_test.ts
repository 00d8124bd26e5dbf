import assert from "node:assert/strict";
import { browserTest } from "./helpers/browser.ts";

browserTest(
  "the home page shows the shell and htmx swaps a fragment on click",
  async ({ page, url }) => {
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(url + "/");
    await page.locator("#app-menu").waitFor();
    assert.ok(await page.locator("main#main").isVisible());
    assert.ok(await page.locator("aside#chat").isVisible());
    assert.ok(await page.locator("#poke").isVisible());
    assert.equal(
      await page.evaluate(() => typeof (globalThis as { htmx?: unknown }).htmx),
      "object",
    );

    // Mark the document: a full reload would lose it, an htmx swap keeps it.
    await page.evaluate(() => ((globalThis as Record<string, unknown>).marker = 42));
    await page.locator("#app-menu a", { hasText: "Introduction" }).click();
    await page.locator("main h1", { hasText: "Introduction" }).waitFor();
    assert.equal(await page.evaluate(() => (globalThis as Record<string, unknown>).marker), 42);
    assert.equal(new URL(page.url()).pathname, "/introduction");
    assert.equal(await page.title(), "Introduction · Cardflow");
    assert.equal(
      await page.locator('#app-menu a[aria-current="page"]').textContent(),
      "Introduction",
    );
    assert.deepEqual(errors, []);
  },
);
