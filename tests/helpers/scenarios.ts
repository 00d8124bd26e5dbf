/**
 * @module
 * Table-driven HTTP scenarios (STYLE.md habit 14): each a method, a path, a
 * form, the expected status and the content expected or not, run one after
 * another against a test app, optionally proving the data did not change.
 */

import assert from "node:assert/strict";
import { dump, type TestApp } from "./app.ts";

/** Undo the HTML escapes a page's text went through, to match it as written. */
export function decode(text: string): string {
  return text.replaceAll("&quot;", '"').replaceAll("&#39;", "'").replaceAll("&lt;", "<").replaceAll(
    "&gt;",
    ">",
  ).replaceAll("&amp;", "&");
}

/** One request and what must come of it. */
export interface Scenario {
  name: string;
  method: string;
  path: string;
  form?: Record<string, string>;
  status: number;
  has?: RegExp;
  hasNot?: RegExp;
  /** The data must not change (a refused request). */
  unchanged?: boolean;
}

/** Send each scenario's request as htmx does and check what it says, in order. */
export async function runScenarios(app: TestApp, scenarios: Scenario[]): Promise<void> {
  for (const s of scenarios) {
    const before = dump(app.runtime.db());
    const res = s.form !== undefined
      ? await app.request(s.path, {
        method: s.method,
        body: new URLSearchParams(s.form),
        headers: { "content-type": "application/x-www-form-urlencoded" },
        htmx: true,
      })
      : await app.request(s.path, { method: s.method, htmx: true });
    const raw = await res.text();
    assert.equal(res.status, s.status, `${s.name}: ${raw.slice(0, 300)}`);
    if (s.has) assert.match(decode(raw), s.has, s.name);
    if (s.hasNot) assert.doesNotMatch(raw, s.hasNot, s.name);
    if (s.unchanged) assert.equal(dump(app.runtime.db()), before, `${s.name} changed data`);
  }
}
