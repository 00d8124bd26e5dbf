/**
 * The site inspector end to end in a real browser, against a small site this
 * test serves on loopback (allowed with --allow-net-host): live progress,
 * Cancel (the site stops getting requests), a retry, then a crawl of a site
 * with a 404, a 500, a slow page, a huge page, a JSON file and a redirect
 * loop; the table sorted and filtered, its CSV downloaded and read back, the
 * chart and the diagram drawn, and Mermaid loaded only once a diagram shows.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { fromCsv } from "@/lib/csv.ts";
import { browserTest } from "./helpers/browser.ts";
import { screenshot } from "./helpers/screens.ts";
import { startTestSite, type TestSite } from "./helpers/test_site.ts";

let site: TestSite;

/** Fill step 1 and submit it. */
async function chooseSite(page: Page, url: string, maxPages: number) {
  const step = page.locator("#step-site");
  await step.locator("input[name=url]").fill(url);
  await step.locator("input[name=maxPages]").fill(String(maxPages));
  await step.locator("select[name=timeout]").selectOption("1");
  await step.locator("button[type=submit]").click();
  await page.locator("#step-crawl button", { hasText: "Start" }).waitFor();
}

/** Wait until `check` holds, polling the page's state, not a clock. */
async function until(check: () => boolean, what: string, page: Page) {
  for (let i = 0; i < 400 && !check(); i++) await page.waitForTimeout(25);
  assert.ok(check(), what);
}

browserTest(
  "the site inspector crawls the test's local site with progress, Cancel and a retry, then shows a sortable, filterable table, its CSV, a chart and a diagram",
  async ({ page, url }) => {
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    try {
      await page.goto(url + "/site-inspector");
      await page.locator('input[name="key"]').fill("inspect");
      await page.locator("button", { hasText: "Start or resume" }).click();

      // A site of endless slow pages: watch it go, cancel it, and check it stops fetching.
      await chooseSite(page, `${site.origin}/many/0`, 40);
      await page.locator("#step-crawl button", { hasText: "Start" }).click();
      const note = page.locator("#step-crawl .job-note", {
        hasText: /\d+ of \d+: http:\/\/127\.0\.0\.1:\d+\/many\//,
      });
      await note.waitFor();
      await screenshot(page, "inspector-progress");
      await page.locator("#step-crawl button", { hasText: "Cancel" }).click();
      await page.locator("#step-crawl", { hasText: "This work was cancelled" }).waitFor();
      await until(() => site.open() === 0, "the requests in flight were aborted", page);
      const afterCancel = site.hits.length;
      assert.ok(afterCancel < 40, `it stopped early (${afterCancel} requests)`);
      await page.waitForTimeout(600); // a quiet moment: nothing may arrive in it
      assert.equal(site.hits.length, afterCancel, "no request after Cancel");

      // Run it again: this time it finishes.
      await page.locator("#step-crawl button", { hasText: "Run it again" }).click();
      await page.locator("#step-crawl.done", { hasText: /Fetched 40 pages/ }).waitFor({
        timeout: 20_000,
      });

      // Now the site with every kind of trouble: revert step 1 and crawl it.
      await page.locator("#step-site button", { hasText: "Revert" }).click();
      await chooseSite(page, `${site.origin}/`, 50);
      await page.locator("#step-crawl button", { hasText: "Start" }).click();
      await page.locator("#step-crawl.done", { hasText: /Fetched 9 pages/ }).waitFor({
        timeout: 20_000,
      });

      // Step 3: the table, sorted and filtered.
      const table = page.locator("#step-pages .tabulator");
      await table.waitFor();
      const statuses = () =>
        page.locator("#step-pages .tabulator-row .tabulator-cell[tabulator-field=status]")
          .allTextContents();
      await page.locator("#step-pages .tabulator-col[tabulator-field=status] .tabulator-col-title")
        .click();
      let shown = (await statuses()).map(Number);
      assert.deepEqual(shown, [...shown].sort((a, b) => a - b), "sorted by status, ascending");
      await page.locator("#step-pages .tabulator-col[tabulator-field=status] .tabulator-col-title")
        .click();
      shown = (await statuses()).map(Number);
      assert.equal(shown[0], 500, "then descending");
      const problems = await page.locator("#step-pages .tabulator-cell[tabulator-field=problem]")
        .allTextContents();
      for (
        const expected of [
          /HTTP 404/,
          /HTTP 500/,
          /did not answer in time/,
          /more data than/,
          /not HTML/,
          /redirected too many/,
        ]
      ) {
        assert.ok(problems.some((p) => expected.test(p)), `a row says ${expected}`);
      }
      await page.locator("#step-pages input[type=search]").fill("about");
      await page.locator("#step-pages .tabulator-row", { hasText: "About us" }).waitFor();
      assert.equal(
        await page.locator("#step-pages .tabulator-row").count(),
        1,
        "the filter leaves one row",
      );
      assert.equal(
        (await page.locator("#step-pages [data-table-count]").textContent())?.trim(),
        "1 of 9 rows",
      );
      await screenshot(page, "inspector-table");
      await page.locator("#step-pages input[type=search]").fill("");

      // The CSV, downloaded and read back.
      const [download] = await Promise.all([
        page.waitForEvent("download"),
        page.locator("#step-pages a", { hasText: "Download CSV" }).click(),
      ]);
      assert.equal(download.suggestedFilename(), "pages.csv");
      const csv = await Deno.readTextFile(await download.path());
      assert.ok(csv.startsWith("\uFEFFurl,status,"), "UTF-8 with a BOM and a header");
      const rows = fromCsv(csv).rows;
      assert.equal(rows.length, 9);
      const home = rows.find((r) => r.url === `${site.origin}/`)!;
      assert.equal(home.title, "Home & welcome");
      assert.equal(home.description, 'A "small" test site');
      assert.equal(rows.find((r) => r.url?.endsWith("/error"))!.status, "500");

      assert.equal(
        await page.locator('script[src*="mermaid"]').count(),
        0,
        "no Mermaid on a page without a diagram",
      );
      await page.locator("#step-pages button[type=submit]").click();

      // Step 4: the chart and the diagram.
      await page.locator("#step-report [data-chart][data-ready='1'] svg").waitFor();
      await page.locator("#step-report pre[data-diagram][data-ready='1'] svg").waitFor({
        timeout: 20_000,
      });
      assert.equal(await page.locator('script[src*="mermaid"]').count(), 1);
      assert.match(
        await page.locator("#step-report pre[data-diagram] svg").textContent() ?? "",
        /\/about/,
      );
      await screenshot(page, "inspector-report");
      await page.locator("#step-report input[name=chart][value=pie]").check();
      await page.locator("#step-report button[type=submit]").click();
      await page.locator("#step-finish button", { hasText: "Finalize" }).click();
      await page.locator("#step-finish h2", { hasText: "Finalized" }).waitFor();
      await page.locator("#step-report.done [data-chart][data-ready='1'] svg").waitFor();
      await page.locator("#step-report.done pre[data-diagram][data-ready='1'] svg").waitFor({
        timeout: 20_000,
      });
      await screenshot(page, "inspector-finalized");
      assert.deepEqual(errors, []);
    } finally {
      await site.close();
    }
  },
  {
    config: () => {
      site = startTestSite({ slowMs: 3_000, manyMs: 200 });
      return Promise.resolve({ allowNetHosts: [site.host] });
    },
  },
);
