/**
 * @module
 * Escaping text for HTML: the one escaper every module uses where JSX does
 * not escape for it (streamed chat tokens, highlighted code, Markdown's raw
 * HTML).
 */

const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/**
 * Escape `text` so it shows as text in HTML, in element content and in
 * quoted attributes alike.
 *
 * @example
 * ```ts
 * import { escapeHtml } from "./html.ts";
 * escapeHtml('<b title="x">'); // "&lt;b title=&quot;x&quot;&gt;"
 * ```
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}
