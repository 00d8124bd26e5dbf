/**
 * Drag and drop, made deterministic: the test waits for what SortableJS
 * waits for — the drag to have started (its ghost, set on the next tick),
 * rows to have finished animating before the pointer moves on — and for
 * the row to sit where it is wanted before dropping; then for the server's
 * answer and the list's redraw. Run alone 20 times in a row without a
 * failure (see CHANGELOG).
 */
// deno-lint-ignore-file no-explicit-any -- code evaluated in the page has no DOM types here
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { browserTest, pageHeaders } from "./helpers/browser.ts";

/** Rows are still moving from an earlier swap: Sortable ignores the pointer over them. */
async function stillAnimating(page: Page): Promise<void> {
  await page.waitForFunction(() =>
    [...(globalThis as any).document.querySelectorAll("#tasks-list > li")].every((li: any) =>
      !li.animated
    )
  );
}

async function indexOf(page: Page, id: string): Promise<number> {
  return await page.evaluate(
    (id) =>
      [...(globalThis as any).document.querySelectorAll("#tasks-list > li.row")]
        .findIndex((li: any) => li.dataset.id === id),
    id,
  );
}

/** Drag row `id` by its handle until it is the `to`-th row, then drop it. */
async function drag(page: Page, id: string, to: number): Promise<void> {
  const handle = (await page.locator(`#tasks-${id} .drag`).boundingBox())!;
  const x = handle.x + handle.width / 2;
  let y = handle.y + handle.height / 2;
  // The list is redrawn when the drop is saved: mark this one to see the next arrive.
  await page.evaluate(() =>
    (globalThis as any).document.getElementById("tasks-results").dataset.before = "1"
  );
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x, y + 10, { steps: 5 });
  y += 10;
  await page.locator("#tasks-list .sortable-ghost").waitFor(); // the drag has started
  for (let step = 0; step < 60 && await indexOf(page, id) !== to; step++) {
    const target = (await page.locator("#tasks-list > li.row").nth(to).boundingBox())!;
    const at = await indexOf(page, id);
    // Aim past the middle of the row to swap with, a few pixels at a time.
    const goal = at > to ? target.y + target.height * 0.25 : target.y + target.height * 0.75;
    y += Math.sign(goal - y) * Math.min(Math.abs(goal - y), 6) || (step % 2 ? 1 : -1);
    await page.mouse.move(x, y);
    await stillAnimating(page);
  }
  assert.equal(await indexOf(page, id), to, "the row never reached its place");
  await page.mouse.up();
  await page.locator("#tasks-undo", { hasText: "Reordered" }).waitFor();
  await page.waitForFunction(() =>
    !(globalThis as any).document.getElementById("tasks-results").dataset.before
  );
}

browserTest(
  "dragging a row by its handle puts it where it is dropped, the server keeps it, and Undo puts it back",
  async ({ page, url, server }) => {
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    const headers = {
      ...pageHeaders(server),
      "content-type": "application/x-www-form-urlencoded",
      "hx-request": "true",
    };
    for (const name of ["Alpha", "Bravo", "Charlie", "Delta"]) {
      const res = await fetch(url + "/tasks", {
        method: "POST",
        headers,
        body: new URLSearchParams({ name }),
      });
      await res.body?.cancel();
    }
    const stored = () =>
      (server.runtime.db().prepare("SELECT name FROM tasks ORDER BY position").all() as {
        name: string;
      }[]).map((r) => r.name);
    await page.goto(url + "/tasks");
    await page.locator("#tasks-list[data-sortable-ready]").waitFor();
    const id = async (name: string) =>
      (await page.locator("#tasks-list li.row", { hasText: name }).getAttribute("data-id"))!;

    await drag(page, await id("Delta"), 0);
    assert.deepEqual(stored(), ["Delta", "Alpha", "Bravo", "Charlie"]);
    await drag(page, await id("Alpha"), 3);
    assert.deepEqual(stored(), ["Delta", "Bravo", "Charlie", "Alpha"]);

    await page.keyboard.press("Control+z");
    await page.locator("#tasks-undo", { hasText: "Undone" }).waitFor();
    assert.deepEqual(stored(), ["Delta", "Alpha", "Bravo", "Charlie"]);
    await page.reload();
    assert.deepEqual(
      await page.locator("#tasks-list li.row .title").allTextContents(),
      ["Delta", "Alpha", "Bravo", "Charlie"],
    );
    assert.deepEqual(errors, []);
  },
);
