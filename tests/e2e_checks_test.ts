/**
 * Checkboxes and radio buttons look alike wherever they are: the same size,
 * on their label's line, with a gap before the label's text. Measured in the
 * browser on a step of every kind of choice, a lone checkbox step, the site
 * inspector's form, the task list and an inline edit.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { browserTest, postAsPage } from "./helpers/browser.ts";
import { FORMKIT, withPlugins } from "./helpers/workflows.ts";

/** One checkbox or radio on the page and its label's text, in px. */
interface Box {
  where: string;
  kind: string;
  width: number;
  height: number;
  /** From the box's right edge to its label's first letter; null without a label. */
  gap: number | null;
  /** Whether the label's text shares the box's line. */
  sameLine: boolean;
}

/** Measure every visible checkbox and radio in `#main`. */
async function boxes(page: Page, where: string): Promise<Box[]> {
  const found = await page.evaluate(() => {
    // deno-lint-ignore no-explicit-any
    const d = (globalThis as any).document;
    // deno-lint-ignore no-explicit-any
    const out: any[] = [];
    for (const input of d.querySelectorAll("#main input[type=checkbox], #main input[type=radio]")) {
      const box = input.getBoundingClientRect();
      if (box.width === 0) continue;
      const label = input.closest("label") ??
        (input.id ? d.querySelector(`label[for="${input.id}"]`) : null);
      let gap = null;
      let sameLine = false;
      if (label) {
        const walker = d.createTreeWalker(label, 4); // text nodes
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          const first = node.textContent.search(/\S/);
          if (first < 0) continue;
          // The first letter, not a leading space the layout may have dropped.
          const range = d.createRange();
          range.setStart(node, first);
          range.setEnd(node, first + 1);
          const text = range.getClientRects()[0];
          if (!text) continue;
          gap = text.left - box.right;
          sameLine = text.top < box.bottom && text.bottom > box.top;
          break;
        }
      }
      out.push({
        kind: input.type,
        name: input.name || input.id,
        width: box.width,
        height: box.height,
        gap,
        sameLine,
      });
    }
    return out;
  });
  return found.map((b) => ({ ...b, where: `${where} ${b.name}` }));
}

async function settled(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    // deno-lint-ignore no-explicit-any
    const d = (globalThis as any).document;
    return d.readyState === "complete" && !d.querySelector(".placeholder");
  });
}

browserTest(
  "checkboxes and radio buttons are one size and keep a gap from their labels",
  async ({ page, url, server }) => {
    const post = async (path: string, form: Record<string, string>) => {
      const status = await postAsPage(server, path, form);
      assert.ok(status < 400, `${path}: ${status}`);
    };
    await post("/tasks", { name: "Buy milk" });
    await post("/formkit/start", { key: "kinds" });
    await post("/site-inspector/start", { key: "inspect" });
    await post("/showcase/start", { key: "checks" });
    const steps: [string, Record<string, string>][] = [
      ["title", { title: "A title" }],
      ["notes", { notes: "Some notes" }],
      ["count", { count: "3" }],
      ["colour", { colour: "green" }],
    ];
    for (const [i, [id, form]] of steps.entries()) {
      await post(`/showcase/run/checks/step/${id}`, { version: String(i + 1), ...form });
    }

    const all: Box[] = [];
    for (
      const [path, where] of [
        ["/formkit/run/kinds", "every choice"],
        ["/showcase/run/checks", "urgent"],
        ["/site-inspector/run/inspect", "inspector"],
        ["/tasks", "tasks"],
      ]
    ) {
      await page.goto(url + path);
      await settled(page);
      all.push(...await boxes(page, where!));
    }
    await page.locator("#tasks-list li.row .title").first().click();
    await page.locator("#tasks-list li.editing").waitFor();
    all.push(...await boxes(page, "task edit"));

    const kinds = new Set(all.map((b) => b.kind));
    assert.deepEqual([...kinds].sort(), ["checkbox", "radio"], "both kinds were measured");
    const sizes = all.map((b) => `${b.where} ${b.kind} ${b.width}x${b.height}`);
    const widths = all.map((b) => b.width);
    assert.ok(Math.max(...widths) - Math.min(...widths) <= 0.5, sizes.join("\n"));
    const heights = all.map((b) => b.height);
    assert.ok(Math.max(...heights) - Math.min(...heights) <= 0.5, sizes.join("\n"));
    const labelled = all.filter((b) => b.gap !== null);
    assert.ok(labelled.length >= 8, `${labelled.length} labelled boxes`);
    const cramped = labelled.filter((b) => !b.sameLine || b.gap! < 6 || b.gap! > 14)
      .map((b) =>
        `${b.where}: gap ${b.gap!.toFixed(1)} px${b.sameLine ? "" : ", not on its line"}`
      );
    assert.deepEqual(cramped, []);
  },
  { plugins: withPlugins(["080_formkit.tsx", FORMKIT]) },
);
