/**
 * @module
 * The smallest plugin: a page, for introductions and dashboards.
 */

import type { Child } from "hono/jsx";
import type { PluginBase } from "./base.ts";

/** A plain page. */
export interface PageDefinition extends PluginBase {
  kind: "page";
  /** The page body; pure, no I/O. */
  render(): Child;
}

/** Declare a page plugin. */
export function definePage(definition: Omit<PageDefinition, "kind">): PageDefinition {
  return { kind: "page", ...definition };
}

/** Problems with a page definition, as sentences. */
export function checkPage(definition: PageDefinition): string[] {
  return typeof definition.render === "function" ? [] : ["a page needs a render() function"];
}
