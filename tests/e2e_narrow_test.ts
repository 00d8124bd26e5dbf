/**
 * At 360 px wide, with data on every page (a task with long notes, a
 * backup, runs of two workflows, a chat conversation), no page is wider
 * than the screen: wide tables scroll inside their own box and long text
 * wraps or is cut short.
 */
import assert from "node:assert/strict";
import { browserTest, postAsPage } from "./helpers/browser.ts";

const LONG_NOTES = "Some notes that go on for quite a while, longer than a narrow phone is wide, " +
  "to see that a row of the list never pushes the page sideways";

browserTest(
  "at 360 px wide no page is wider than the screen, with data on it",
  async ({ page, url, server }) => {
    const post = async (path: string, form: Record<string, string>) => {
      const status = await postAsPage(server, path, form);
      assert.ok(status < 400, `${path}: ${status}`);
    };
    await post("/tasks", { name: "Buy milk" });
    const db = server.runtime.db();
    const id = (db.prepare("SELECT MIN(id) AS id FROM tasks").get() as { id: number }).id;
    await post(`/tasks/${id}`, { name: "Buy milk", tags: "home, errands", notes: LONG_NOTES });
    await post("/profiles", { name: "Acme", website: "https://example.com/a/rather/long/path" });
    await post("/backups", {});
    await post("/hello/start", { key: "narrow-hello" });
    await post("/hello/run/narrow-hello/step/step_01", { version: "1", name: "Ada" });
    await post("/showcase/start", { key: "narrow-showcase" });
    await post("/showcase/run/narrow-showcase/step/title", { version: "1", title: "A title" });

    await page.setViewportSize({ width: 360, height: 800 });
    await page.goto(url + "/");
    // Every page in the menu, and the pages reached from inside one.
    const menu = await page.locator("#app-menu a[href]").evaluateAll((links) =>
      links.map((a) => a.getAttribute("href") ?? "")
    );
    const paths = new Set([
      "/",
      ...menu,
      "/tasks/import",
      "/profiles/import",
      "/roles/import",
      "/hello/run/narrow-hello",
      "/showcase/run/narrow-showcase",
      "/history",
      "/backups",
      "/chat",
      "/no-such-page",
    ]);
    assert.ok(menu.includes("/tasks") && menu.includes("/site-inspector"), menu.join(" "));
    const wide: string[] = [];
    for (const path of paths) {
      await page.goto(url + path);
      await page.waitForFunction(() => {
        // deno-lint-ignore no-explicit-any
        const d = (globalThis as any).document;
        return d.readyState === "complete" && !d.querySelector(".placeholder");
      });
      const sizes = await page.evaluate(() => {
        // deno-lint-ignore no-explicit-any
        const root = (globalThis as any).document.documentElement;
        return { scroll: root.scrollWidth, client: root.clientWidth };
      });
      if (sizes.scroll > sizes.client) {
        wide.push(`${path}: ${sizes.scroll - sizes.client} px too wide`);
      }
    }
    assert.deepEqual(wide, []);
    // The data the test put there is on the pages it checked.
    await page.goto(url + "/backups");
    assert.ok(await page.locator("#backups tbody tr form").count() >= 1, "a backup");
    await page.goto(url + "/history");
    assert.equal(await page.locator("#history tbody tr").count(), 2, "two runs");
    await page.goto(url + "/tasks");
    await page.locator(".cell-textarea", { hasText: "Some notes" }).waitFor();
  },
);
