import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { browserTest } from "./helpers/browser.ts";
import { useNewProfile } from "./helpers/page_steps.ts";

async function names(page: Page): Promise<string[]> {
  return await page.locator("#tasks-list li.row .title").allTextContents();
}

browserTest(
  "a person keeps a task list: add, toggle, edit inline, reorder, delete, reload, switch profile, and a second tab follows",
  async ({ page, url, newPage }) => {
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(url + "/tasks");
    const other = await newPage();
    await other.goto(url + "/tasks");
    await other.locator("#tasks-list").waitFor();

    for (const name of ["Buy milk", "Walk the dog", "Read a book"]) {
      await page.locator("#tasks-add input[name=name]").fill(name);
      await page.keyboard.press("Enter");
      await page.locator("#tasks-list li.row .title", { hasText: name }).waitFor();
    }
    // The second tab shows the new tasks without a reload.
    await other.locator("#tasks-list li.row .title", { hasText: "Read a book" }).waitFor({
      timeout: 5000,
    });

    await page.locator("#tasks-list li.row", { hasText: "Buy milk" }).locator(
      "input.toggle",
    ).check();
    await page.locator("#tasks-list li.row.on", { hasText: "Buy milk" }).waitFor();

    await page.locator("#tasks-list li.row .title", { hasText: "Walk the dog" }).click();
    const edit = page.locator("#tasks-list li.editing input[name=name]");
    await edit.fill("Walk the cat");
    await edit.press("Enter");
    await page.locator("#tasks-list li.row .title", { hasText: "Walk the cat" }).waitFor();

    // Keyboard users move a row up: "Read a book" goes to the top (dragging is e2e_drag_test.ts).
    for (const at of [1, 0]) {
      await page.locator("#tasks-list li.row", { hasText: "Read a book" }).getByRole("button", {
        name: "Move Read a book up",
      }).click();
      await page.locator("#tasks-list li.row").nth(at).locator(".title", { hasText: "Read a book" })
        .waitFor();
    }
    await page.locator("#tasks-list li.row", { hasText: "Walk the cat" }).getByRole("button", {
      name: /Delete/,
    }).click();
    await page.locator("#tasks-list li.row", { hasText: "Walk the cat" }).waitFor({
      state: "detached",
    });

    await page.reload();
    await page.locator("#tasks-list li.row").first().waitFor();
    assert.deepEqual(await names(page), ["Read a book", "Buy milk"]);
    assert.ok(
      await page.locator("#tasks-list li.row.on", { hasText: "Buy milk" }).isVisible(),
      "the toggle survived the reload",
    );
    await other.locator("#tasks-list li.row", { hasText: "Walk the cat" }).waitFor({
      state: "detached",
      timeout: 5000,
    });

    // Keyboard users can move a row too.
    await page.locator("#tasks-list li.row", { hasText: "Buy milk" }).getByRole("button", {
      name: "Move Buy milk up",
    }).click();
    await page.locator("#tasks-list li.row").first().locator(".title", { hasText: "Buy milk" })
      .waitFor();

    // Another profile has its own list.
    await useNewProfile(page, { url, name: "Acme" });
    await page.goto(url + "/tasks");
    await page.locator("#tasks-list li.empty").waitFor();
    assert.deepEqual(await names(page), []);
    assert.deepEqual(errors, []);
  },
);

browserTest(
  "Ctrl+K opens the app search and Enter opens the first match",
  async ({ page, url }) => {
    await page.goto(url + "/");
    await page.keyboard.press("Control+k");
    const input = page.locator("#app-search input");
    await input.waitFor();
    await input.fill("todo");
    assert.equal(await page.locator("#app-search li:not([hidden])").count(), 1);
    await input.press("Enter");
    await page.waitForURL(/\/tasks$/);
    await page.locator("#tasks-app h1").waitFor();
  },
);
