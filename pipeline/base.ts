/**
 * @module
 * What every kind of plugin declares, and the error a broken one stops
 * start-up with.
 */

/** What every kind of plugin declares. */
export interface PluginBase {
  /** Must equal the slug in the file name (`060_tasks.tsx` → `tasks`). */
  name: string;
  /** Menu and page title. */
  title: string;
  /** One or two sentences; shown on the landing page and told to the LLM. */
  description: string;
  /** Roles whose menu group lists this plugin; defaults to `["Core"]`. */
  roles?: string[];
  /** An extra paragraph for the LLM's system prompt. */
  llm?: string;
}

/** A plugin that cannot be loaded or whose data cannot follow it; the message names the file. */
export class PluginError extends Error {
  override name = "PluginError";
}
