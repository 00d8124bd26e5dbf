/**
 * @module
 * The plugin contract. A plugin is one file in `plugins/` whose default export
 * is a definition made by `defineWorkflow`, `defineCrud` or `definePage`; an
 * engine (see `engines.ts`) turns it into routes, a table, a menu entry and a
 * paragraph for the LLM.
 */

import type { Child } from "hono/jsx";

/** What every kind of plugin declares. */
export interface PluginBase {
  /** Which engine serves it. */
  kind: string;
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

/** A plain page: the smallest plugin, for introductions and dashboards. */
export interface PageDefinition extends PluginBase {
  kind: "page";
  /** The page body; pure, no I/O. */
  render(): Child;
}

/** Any plugin definition. Engines extend this union through their own kinds. */
export type PluginDefinition = PluginBase;

/** Declare a page plugin. */
export function definePage(definition: Omit<PageDefinition, "kind">): PageDefinition {
  return { kind: "page", ...definition };
}
