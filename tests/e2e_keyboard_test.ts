/**
 * A person who never touches the mouse: adds five tasks in a row, moves one
 * with ↑ twice, cancels an edit with Escape, searches, filters, completes
 * two at once and undoes it with Ctrl+Z, exports CSV, and imports it into
 * another profile — refused whole with one bad row, then all in once fixed.
 */
// deno-lint-ignore-file no-explicit-any -- code evaluated in the page has no DOM types here
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import type { Page } from "playwright-core";
import { browserTest } from "./helpers/browser.ts";

/** Press Tab (or Shift+Tab) until the focus is on `selector`; fails after `max` presses. */
async function tabTo(page: Page, selector: string, options: { back?: boolean; max?: number } = {}) {
  for (let i = 0; i < (options.max ?? 80); i++) {
    if (
      await page.evaluate((s) => (globalThis as any).document.activeElement?.matches(s), selector)
    ) {
      return;
    }
    await page.keyboard.press(options.back ? "Shift+Tab" : "Tab");
  }
  throw new Error(`Tab never reached ${selector}`);
}

/** The id of the focused element. */
async function focused(page: Page): Promise<string> {
  return await page.evaluate(() => (globalThis as any).document.activeElement?.id ?? "");
}

async function names(page: Page): Promise<string[]> {
  return await page.locator("#tasks-list li.row .title").allTextContents();
}

/** Wait until the list shows exactly `expected`. */
async function listShows(page: Page, expected: string[]): Promise<void> {
  await page.waitForFunction((want) => {
    const titles = [...(globalThis as any).document.querySelectorAll("#tasks-list li.row .title")]
      .map((t: { textContent: string }) => t.textContent);
    return JSON.stringify(titles) === JSON.stringify(want);
  }, expected);
}

/** Open what Ctrl+K finds for `query`, typed and then Enter. */
async function jumpTo(page: Page, query: string): Promise<void> {
  await page.keyboard.press("Control+k");
  await page.keyboard.type(query);
  await page.keyboard.press("Enter");
}

/** Choose `csv` as the file to import, by keyboard: Tab to the file box and press Space. */
async function chooseCsv(page: Page, csv: string, options: { back?: boolean } = {}) {
  await tabTo(page, "#tasks-import-file", options);
  const [chooser] = await Promise.all([
    page.waitForEvent("filechooser"),
    page.keyboard.press("Space"),
  ]);
  await chooser.setFiles({ name: "tasks.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
}

browserTest(
  "by keyboard alone: add five, move one, cancel an edit, search, filter, complete two and undo, export, import elsewhere",
  async ({ page, url, server }) => {
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(url + "/tasks");
    await tabTo(page, "#tasks-add-name");

    // Five in a row: the focus comes back to the add box after each.
    const five = ["Task one", "Task two", "Task three", "Task four", "Task five"];
    for (const [i, name] of five.entries()) {
      await page.keyboard.type(name);
      await page.keyboard.press("Enter");
      await listShows(page, five.slice(0, i + 1));
      await page.waitForFunction(() =>
        (globalThis as any).document.activeElement?.id === "tasks-add-name" &&
        (globalThis as any).document.activeElement.value === ""
      );
    }
    await page.locator("#tasks-undo [data-undo]").waitFor();

    // ↑ twice on "Task five": the focus stays on its button while the list is redrawn.
    const ids = await page.locator("#tasks-list li.row").evaluateAll((rows) =>
      rows.map((r) => r.dataset.id)
    );
    const fifth = ids[4]!;
    await tabTo(page, `#tasks-${fifth}-up`);
    await page.keyboard.press("Enter");
    await listShows(page, ["Task one", "Task two", "Task three", "Task five", "Task four"]);
    assert.equal(await focused(page), `tasks-${fifth}-up`);
    await page.keyboard.press("Enter");
    await listShows(page, ["Task one", "Task two", "Task five", "Task three", "Task four"]);
    assert.equal(await focused(page), `tasks-${fifth}-up`);

    // Edit "Task two", type, then Escape: nothing changes and the focus is back on its title.
    const second = ids[1]!;
    await tabTo(page, `#tasks-${second}-title`, { back: true });
    await page.keyboard.press("Enter");
    await page.locator(`#tasks-${second}-edit-name`).waitFor();
    await page.waitForFunction(
      (id) => (globalThis as any).document.activeElement?.id === id,
      `tasks-${second}-edit-name`,
    );
    await page.keyboard.type(" changed");
    await page.keyboard.press("Escape");
    await page.locator(`#tasks-${second}-title`).waitFor();
    await page.waitForFunction(
      (id) => (globalThis as any).document.activeElement?.id === id,
      `tasks-${second}-title`,
    );
    assert.equal(await page.locator(`#tasks-${second}-title`).textContent(), "Task two");

    // Search as you type; the address keeps the search.
    await tabTo(page, "#tasks-q", { back: true });
    await page.keyboard.type("thr");
    await listShows(page, ["Task three"]);
    await page.waitForURL(/\/tasks\?q=thr$/);
    await page.keyboard.press("Control+a");
    await page.keyboard.press("Backspace");
    await listShows(page, ["Task one", "Task two", "Task five", "Task three", "Task four"]);

    // Filter: not done (all five still).
    await tabTo(page, "#tasks-filter-done");
    await page.keyboard.press("ArrowDown"); // "not done"
    await page.waitForURL(/done=no/);

    // Select two rows with Space, complete them with one confirmation, then Ctrl+Z.
    await tabTo(page, `#tasks-list li[data-id="${ids[0]}"] input.select`);
    await page.keyboard.press("Space");
    await tabTo(page, `#tasks-list li[data-id="${ids[1]}"] input.select`);
    await page.keyboard.press("Space");
    await page.locator("#tasks-bulk [data-count]", { hasText: "2" }).waitFor();
    await tabTo(page, '#tasks-bulk button[value="on"]', { back: true });
    await page.keyboard.press("Enter");
    await page.locator("#tasks-undo", { hasText: "marked 2 records as done" }).waitFor();
    await listShows(page, ["Task five", "Task three", "Task four"]); // the filter hides done ones
    const done = () =>
      server.runtime.db().prepare("SELECT COUNT(*) AS n FROM tasks WHERE done = 1").get() as {
        n: number;
      };
    assert.equal(done().n, 2);
    await page.keyboard.press("Control+z");
    await page.locator("#tasks-undo", { hasText: "Undone:" }).waitFor();
    await listShows(page, ["Task one", "Task two", "Task five", "Task three", "Task four"]);
    assert.equal(done().n, 0);

    // Export what the filter shows (all five, not done) as CSV.
    await tabTo(page, 'a[href^="/tasks/export.csv"]');
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.keyboard.press("Enter"),
    ]);
    const csv = await Deno.readTextFile((await download.path())!);
    assert.equal(csv.trim().split(/\r\n/).length, 6, csv);

    // Another profile, reached by Ctrl+K and the keyboard.
    await jumpTo(page, "profiles");
    await page.waitForURL(/\/profiles$/);
    await tabTo(page, "#profiles-add-name");
    await page.keyboard.type("Acme");
    await page.keyboard.press("Enter");
    await page.locator("#profiles-list li.row", { hasText: "Acme" }).waitFor();
    const acmeId = await page.locator("#profiles-list li.row", { hasText: "Acme" }).getAttribute(
      "data-id",
    );
    await tabTo(
      page,
      `#profiles-list li[data-id="${acmeId}"] .row-actions button[hx-post$="/select"]`,
    );
    await page.keyboard.press("Enter");
    await page.locator("#profile-menu strong", { hasText: "Acme" }).waitFor();
    await jumpTo(page, "tasks");
    await page.waitForURL(/\/tasks$/);
    await page.locator("#tasks-list li.empty").waitFor();
    await tabTo(page, 'a[href="/tasks/import"]');
    await page.keyboard.press("Enter");
    await page.locator("#tasks-import-file").waitFor();
    const acme = () =>
      (server.runtime.db().prepare(
        "SELECT COUNT(*) AS n FROM tasks t JOIN profiles p ON p.id = t.profile_id WHERE p.name = 'Acme'",
      ).get() as { n: number }).n;

    // One bad row (a task without a name): refused with the report, nothing imported.
    const bad = csv.replace("Task three", "");
    await chooseCsv(page, bad);
    await page.locator("#tasks-import-result table.report").waitFor();
    await tabTo(page, "#tasks-import-commit");
    await page.keyboard.press("Enter");
    await page.locator("#tasks-import-result", { hasText: "Nothing was imported" }).waitFor();
    assert.match(
      await page.locator("#tasks-import-result table.report").textContent() ?? "",
      /name is required/,
    );
    assert.equal(acme(), 0, "nothing was imported");

    // Fixed: every row goes in.
    await chooseCsv(page, csv, { back: true });
    await page.locator("#tasks-import-result", { hasText: "5 records are valid" }).waitFor();
    await tabTo(page, "#tasks-import-commit");
    await page.keyboard.press("Enter");
    await page.locator("#tasks-import-result", { hasText: "imported 5 records" }).waitFor();
    assert.equal(acme(), 5);
    assert.deepEqual(errors, []);
    assert.deepEqual(await names(page), []);
  },
);
