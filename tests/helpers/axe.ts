/**
 * @module
 * Accessibility checks in the browser tests: axe-core, evaluated in the
 * page (so no Content-Security-Policy stands in its way), against WCAG 2.1
 * A and AA and axe's best practices.
 */

import type { Page } from "playwright-core";
import axeSource from "axe-core/axe.min.js" with { type: "text" };

/** One rule a page breaks. */
export interface Violation {
  id: string;
  impact: string;
  help: string;
  /** Selectors of the first few elements that break it. */
  targets: string[];
}

/** Every violation axe finds on `page` as it is now. */
export async function axeViolations(page: Page): Promise<Violation[]> {
  const loaded = await page.evaluate(() => typeof (globalThis as { axe?: unknown }).axe);
  if (loaded !== "object") await page.evaluate(axeSource);
  return await page.evaluate(async () => {
    // deno-lint-ignore no-explicit-any
    const axe = (globalThis as any).axe;
    const result = await axe.run({ exclude: [] }, {
      runOnly: {
        type: "tag",
        values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
      },
      resultTypes: ["violations"],
    });
    // deno-lint-ignore no-explicit-any
    return result.violations.map((v: any) => ({
      id: v.id,
      impact: v.impact ?? "unknown",
      help: v.help,
      // deno-lint-ignore no-explicit-any
      targets: v.nodes.slice(0, 4).map((n: any) => String(n.target)),
    }));
  });
}

/** The serious and critical violations on `page`, as lines for an assertion message. */
export async function seriousViolations(page: Page): Promise<string[]> {
  return (await axeViolations(page))
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.targets.join(" | ")})`);
}
