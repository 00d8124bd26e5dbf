/**
 * Every page, in the states a person sees it in, checked with axe-core (no
 * serious or critical violation) and photographed in light and dark at 1400
 * and 800 px for a person to look at; at 800 and 360 px nothing overflows
 * the screen and nothing covers the chat's text. The site inspector gets a
 * test of its own: a finished crawl of a small local site, with its table,
 * chart and diagram drawn by their libraries.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { seriousViolations } from "./helpers/axe.ts";
import { browserTest, postAsPage } from "./helpers/browser.ts";
import { screenshot } from "./helpers/screens.ts";
import { startTestSite, type TestSite } from "./helpers/test_site.ts";

/** Wait until htmx has nothing in flight and the run's placeholder chain has loaded. */
async function settled(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    // deno-lint-ignore no-explicit-any
    const d = (globalThis as any).document;
    return d.readyState === "complete" && !d.querySelector(".placeholder") &&
      !d.querySelector("main .htmx-request, main.htmx-request, #chat-log.htmx-request");
  });
}

async function check(
  page: Page,
  name: string,
  problems: string[],
  widths?: number[],
): Promise<void> {
  await settled(page);
  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const line of await seriousViolations(page)) problems.push(`${name} ${scheme}: ${line}`);
  }
  await page.emulateMedia({ colorScheme: "light" });
  await screenshot(page, name, { widths });
}

browserTest(
  "every page passes axe-core with no serious or critical violation, in light and dark, wide and narrow",
  async ({ page, url, server, dataDir }) => {
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    const post = async (path: string, form: Record<string, string>) => {
      const status = await postAsPage(server, path, form);
      assert.ok(status < 400, `${path}: ${status}`);
    };
    for (
      const task of [
        {
          name: "Buy milk",
          priority: "high",
          due: "2026-12-24",
          tags: "home, errands",
          notes: "Oat, if they have it",
        },
        { name: "Write the quarterly report", hours: "3", tags: "work" },
        { name: "Walk the dog" },
      ]
    ) await post("/tasks", { name: task.name });
    const db = server.runtime.db();
    const first = (db.prepare("SELECT MIN(id) AS id FROM tasks").get() as { id: number }).id;
    await post(`/tasks/${first}`, {
      name: "Buy milk",
      priority: "high",
      due: "2026-12-24",
      tags: "home, errands",
      notes: "Oat, if they have it",
    });
    await post(`/tasks/${first + 2}/toggle`, {});
    await post("/profiles", { name: "Acme" });
    await post("/hello/start", { key: "a11y-hello" });
    await post("/hello/run/a11y-hello/step/step_01", { version: "1", name: "Ada" });
    await post("/showcase/start", { key: "a11y-showcase" });
    await post("/showcase/run/a11y-showcase/step/title", { version: "1", title: "A title" });

    const problems: string[] = [];
    const pages: [string, string][] = [
      ["/", "home"],
      ["/introduction", "introduction"],
      ["/profiles", "profiles"],
      ["/roles", "roles"],
      ["/tasks", "tasks"],
      ["/tasks?q=milk&done=no&sort=-due", "tasks-search"],
      ["/tasks?q=nothing-like-this", "tasks-empty"],
      ["/tasks/import", "tasks-import"],
      ["/profiles/import", "profiles-import"],
      ["/roles/import", "roles-import"],
      ["/hello", "hello"],
      ["/showcase", "showcase"],
      ["/hello/run/a11y-hello", "hello-run"],
      ["/showcase/run/a11y-showcase", "showcase-run"],
      ["/history", "history"],
      ["/backups", "backups"],
      ["/chat", "chat-history"],
      ["/no-such-page", "not-found"],
    ];
    for (const [path, name] of pages) {
      await page.goto(url + path);
      await check(page, name, problems);
    }

    // The states between pages: an edit in place, a notice with Undo, a selection, an import report.
    await page.goto(url + "/tasks");
    await page.locator(`#tasks-${first}-title`).click();
    await page.locator(`#tasks-${first}-edit-name`).waitFor();
    await check(page, "tasks-editing", problems);
    await page.keyboard.press("Escape");
    await page.locator(`#tasks-${first}-title`).waitFor();
    await page.locator(`#tasks-${first + 1}-toggle`).check();
    await page.locator("#tasks-undo [data-undo]").waitFor();
    await page.locator(".row input.select").first().check();
    await check(page, "tasks-notice", problems);
    await page.goto(url + "/tasks/import");
    await page.locator("#tasks-import-text").fill("name,done\r\n,maybe\r\n");
    await page.locator("#tasks-import-form button[type=submit]").click();
    await page.locator("#tasks-import-result table.report").waitFor();
    await check(page, "tasks-import-report", problems);
    await page.goto(url + "/backups");
    await page.locator("#backups form button[type=submit]").first().click();
    await page.locator("#backups .notice").waitFor();
    assert.equal(await page.locator("#backups .path-text").textContent(), "", "no path yet");
    await page.locator("#backups details.path summary").click();
    await page.locator("#backups .path-text code", { hasText: `${dataDir}/backups` }).waitFor();
    await check(page, "backups-saved", problems);

    // Narrow screens: the menu and the chat are drawers, nothing overflows, Poke covers nothing.
    for (const width of [800, 360]) {
      await page.setViewportSize({ width, height: 800 });
      await page.goto(url + "/tasks");
      await settled(page);
      if (width === 360) await check(page, "tasks", problems, [360]);
      const overflow = await page.evaluate(() => {
        // deno-lint-ignore no-explicit-any
        const d = (globalThis as any).document;
        return d.documentElement.scrollWidth - d.documentElement.clientWidth;
      });
      assert.equal(overflow, 0, `the page is wider than ${width} px`);
      assert.ok(!(await page.locator("#chat").isVisible()), `the chat is folded away at ${width}`);
      assert.ok(!(await page.locator("#app-menu").isVisible()), `the menu is folded at ${width}`);
      await page.locator("#chat-toggle").focus();
      await page.keyboard.press("Enter");
      await page.locator("#chat").waitFor({ state: "visible" });
      await page.waitForFunction(() => {
        // deno-lint-ignore no-explicit-any
        const chat = (globalThis as any).document.getElementById("chat");
        return chat.getBoundingClientRect().right <= innerWidth + 0.5 &&
          getComputedStyle(chat).transform === "none";
      });
      const covered = await page.evaluate(() => {
        // deno-lint-ignore no-explicit-any
        const d = (globalThis as any).document;
        const poke = d.getElementById("poke").getBoundingClientRect();
        const hits: string[] = [];
        for (const el of d.querySelectorAll("#chat-log, #chat-form textarea, #chat-form button")) {
          const r = el.getBoundingClientRect();
          const apart = r.right <= poke.left || r.left >= poke.right || r.bottom <= poke.top ||
            r.top >= poke.bottom;
          if (!apart) hits.push(el.id || el.tagName);
        }
        return hits;
      });
      assert.deepEqual(covered, [], `Poke covers ${covered.join(", ")} at ${width}`);
      await check(page, "chat-drawer", problems, [width]);
      await page.keyboard.press("Escape");
      await page.locator("#chat").waitFor({ state: "hidden" });
      await page.locator("#menu-toggle").focus();
      await page.keyboard.press("Enter");
      await page.locator("#app-menu").waitFor({ state: "visible" });
      await check(page, "menu-drawer", problems, [width]);
      await page.keyboard.press("Escape");
    }
    assert.deepEqual(problems, []);
    assert.deepEqual(errors, []);
  },
);

let site: TestSite;

browserTest(
  "the site inspector's landing page and a finished run (its table, chart and diagram) pass axe-core in light and dark",
  async ({ page, url }) => {
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    const problems: string[] = [];
    try {
      await page.goto(url + "/site-inspector");
      await check(page, "inspector", problems);

      await page.locator('input[name="key"]').fill("a11y-inspect");
      await page.locator("button", { hasText: "Start or resume" }).click();
      const step = page.locator("#step-site");
      await step.locator("input[name=url]").fill(`${site.origin}/`);
      await step.locator("input[name=maxPages]").fill("20");
      await step.locator("select[name=timeout]").selectOption("1");
      await step.locator("button[type=submit]").click();
      await page.locator("#step-crawl button", { hasText: "Start" }).click();
      await page.locator("#step-crawl.done").waitFor({ timeout: 20_000 });
      await page.locator("#step-pages .tabulator-row").first().waitFor();
      await page.locator("#step-pages button[type=submit]").click();
      await page.locator("#step-report [data-chart][data-ready='1'] svg").waitFor();
      await page.locator("#step-report pre[data-diagram][data-ready='1'] svg").waitFor({
        timeout: 20_000,
      });
      assert.ok(await page.locator("#step-pages .tabulator-row").first().isVisible());
      await check(page, "inspector-run", problems);

      // A filter that leaves no row: the grid's "No rows match." is a row of its own.
      await page.locator("#step-pages input[type=search]").fill("nothing-like-this");
      await page.locator("#step-pages .tabulator-placeholder").waitFor();
      await check(page, "inspector-table-empty", problems, [1400]);
      assert.deepEqual(problems, []);
      assert.deepEqual(errors, []);
    } finally {
      await site.close();
    }
  },
  {
    config: () => {
      site = startTestSite({ slowMs: 300, manyMs: 50 });
      return Promise.resolve({ allowNetHosts: [site.host] });
    },
  },
);
