/**
 * The display components in a real browser, on a test workflow's card: a
 * table of 151 rows shows 100 a page with a pager and its count, and page 2
 * shows the other 51; a line chart is drawn, and its text stands out from
 * the page in the light and the dark theme alike.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { browserTest } from "./helpers/browser.ts";
import { withPlugins } from "./helpers/workflows.ts";
import { widgetRow, WIDGETS } from "./helpers/widgets.tsx";

const plugins = withPlugins(["080_widgets.tsx", WIDGETS]);

/** Start a run and submit its one step. */
async function show(page: Page, url: string, rows: number, chart: string) {
  await page.goto(url + "/widgets");
  await page.locator('input[name="key"]').fill(`w${rows}`);
  await page.locator("button", { hasText: "Start or resume" }).click();
  const step = page.locator("#step-show");
  await step.locator("input[name=rows]").fill(String(rows));
  await step.locator("select[name=chart]").selectOption(chart);
  await step.locator("button[type=submit]").click();
  await page.locator("#step-show.done").waitFor();
}

browserTest(
  "a table of 151 rows shows 100 a page with a pager and its count, and page 2 shows the other 51",
  async ({ page, url }) => {
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await show(page, url, 151, "bar");
    const card = page.locator("#step-show");
    await card.locator(".tabulator .tabulator-row").first().waitFor();
    const numbers = async () =>
      (await card.locator(".tabulator-row .tabulator-cell[tabulator-field=n]").allTextContents())
        .map(Number);
    const counter = () => card.locator(".data-table-counter").textContent();
    const range = (from: number, to: number) =>
      Array.from({ length: to - from + 1 }, (_, i) => from + i);

    assert.deepEqual(await numbers(), range(1, 100), "page 1 holds rows 1 to 100");
    assert.ok(await card.locator("nav.data-table-pages").isVisible(), "a pager below the grid");
    assert.equal(
      (await counter())?.replace(/\s+/g, " ").trim(),
      "Showing 1-100 of 151 rows",
    );
    assert.equal((await card.locator("[data-table-count]").textContent())?.trim(), "151 rows");

    // A column sorts from the keyboard: Tab to its header, Enter, Enter again for descending.
    await page.locator("#step-show input[type=search]").focus();
    const head = card.locator(".tabulator-col[tabulator-field=n]");
    for (let i = 0; i < 10 && !(await head.evaluate((el) => el === document.activeElement)); i++) {
      await page.keyboard.press("Tab");
    }
    assert.ok(await head.evaluate((el) => el === document.activeElement), "the header takes focus");
    await page.keyboard.press("Enter");
    await card.locator(".tabulator-col[tabulator-field=n][aria-sort=ascending]").waitFor();
    await page.keyboard.press("Enter");
    await card.locator(".tabulator-col[tabulator-field=n][aria-sort=descending]").waitFor();
    assert.equal((await numbers())[0], 151, "Enter again sorts descending");
    await page.keyboard.press(" ");
    await card.locator(".tabulator-col[tabulator-field=n][aria-sort=ascending]").waitFor();
    assert.equal((await numbers())[0], 1);

    await card.locator(".tabulator-page[data-page='2']").click();
    await card.locator(".tabulator-row", { hasText: "row 151" }).waitFor();
    assert.deepEqual(await numbers(), range(101, 151), "page 2 holds the other 51");
    assert.equal(
      (await counter())?.replace(/\s+/g, " ").trim(),
      "Showing 101-151 of 151 rows",
    );
    assert.equal(
      await card.locator(".tabulator-page.active").getAttribute("data-page"),
      "2",
      "page 2 is the current page",
    );
    assert.equal(
      await card.locator(".tabulator-page[data-page='3']").count(),
      0,
      "there is no page 3",
    );

    // The filter searches every page, not only the one shown: "15" is on both.
    await page.locator("#step-show input[type=search]").fill("15");
    await card.locator(".tabulator-row", { hasText: "row 34" }).waitFor();
    const expected = range(1, 151).filter((n) =>
      Object.values(widgetRow(n)).join(" ").includes("15")
    );
    assert.ok(expected.includes(15) && expected.includes(151));
    assert.deepEqual((await numbers()).sort((a, b) => a - b), expected);
    assert.equal(
      (await card.locator("[data-table-count]").textContent())?.trim(),
      `${expected.length} of 151 rows`,
    );
    assert.deepEqual(errors, []);
  },
  { plugins },
);

/** WCAG contrast of every text in the chart against what is behind the chart, drawn in the page. */
const CONTRAST = `(() => {
  const chart = document.querySelector("#step-show [data-chart]");
  const parse = (c) => {
    const m = c.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const [r, g, b, a = 1] = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number);
    return { r, g, b, a };
  };
  let background = null;
  for (let el = chart; el && !background; el = el.parentElement) {
    const c = parse(getComputedStyle(el).backgroundColor);
    if (c && c.a > 0) background = c;
  }
  background ??= { r: 255, g: 255, b: 255, a: 1 };
  const channel = (v) => {
    const s = v / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  const luminance = (c) => 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
  const texts = [...chart.querySelectorAll("svg text")].map((t) => {
    let c = parse(getComputedStyle(t).fill) ?? { r: 0, g: 0, b: 0, a: 1 };
    const opacity = Number(getComputedStyle(t).fillOpacity || 1) * Number(getComputedStyle(t).opacity || 1);
    // Text drawn see-through mixes with what is behind it.
    const a = (c.a ?? 1) * opacity;
    c = {
      r: c.r * a + background.r * (1 - a),
      g: c.g * a + background.g * (1 - a),
      b: c.b * a + background.b * (1 - a),
    };
    const [hi, lo] = [luminance(c), luminance(background)].sort((x, y) => y - x);
    return { text: t.textContent, ratio: Math.round(((hi + 0.05) / (lo + 0.05)) * 100) / 100 };
  });
  return { background: luminance(background), texts };
})()`;

interface Contrast {
  /** The relative luminance of what is behind the chart: 0 black, 1 white. */
  background: number;
  texts: { text: string; ratio: number }[];
}

browserTest(
  "a line chart is drawn, and its labels and legend stand out from the page in light and dark mode",
  async ({ page, url }) => {
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.emulateMedia({ colorScheme: "light" });
    await show(page, url, 3, "line");
    const chart = page.locator("#step-show [data-chart][data-ready='1']");
    await chart.locator("svg").waitFor();
    const types = await page.evaluate(
      `echarts.getInstanceByDom(document.querySelector("#step-show [data-chart]"))
        .getOption().series.map((s) => s.type)`,
    );
    assert.deepEqual(types, ["line", "line"], "drawn as lines");
    assert.ok(
      await chart.locator('svg path[fill="none"]:not([stroke="none"])').count() >= 2,
      "a stroked path for each series",
    );

    for (const scheme of ["light", "dark"] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      // The chart is drawn again in the other theme when the scheme changes: give it a moment.
      let seen: Contrast | undefined;
      for (let i = 0; i < 80; i++) {
        seen = await page.evaluate(CONTRAST) as Contrast;
        const settled = (scheme === "dark") === (seen.background < 0.2);
        if (settled && seen.texts.length > 0 && seen.texts.every((t) => t.ratio >= 4.5)) break;
        await page.waitForTimeout(25);
      }
      assert.ok(seen, scheme);
      assert.equal(seen.background < 0.2, scheme === "dark", `${scheme}: the page's background`);
      const words = seen.texts.map((t) => t.text);
      for (const label of ["Mon", "Fri", "pages", "errors"]) {
        assert.ok(words.includes(label), `${scheme}: "${label}" is drawn (${words.join(", ")})`);
      }
      const faint = seen.texts.filter((t) => t.ratio < 4.5);
      assert.deepEqual(faint, [], `${scheme}: every label has a contrast of 4.5:1 at least`);
    }
    assert.deepEqual(errors, []);
  },
  { plugins },
);
