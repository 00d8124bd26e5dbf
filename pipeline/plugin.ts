/**
 * @module
 * The plugin contract. A plugin is one file in `plugins/` whose default export
 * is a definition made by `defineWorkflow`, `defineCrud` or `definePage`; the
 * services derive its data from it and an engine its routes, menu entry and
 * paragraph for the LLM.
 */

import { checkCrud } from "./crud/check.ts";
import type { CrudDefinition } from "./crud/define.ts";
import { checkPage, type PageDefinition } from "./page.ts";
import { checkWorkflow, type WorkflowDefinition } from "./workflow/define.ts";

/** Any plugin definition, told apart by `kind`. */
export type PluginDefinition = PageDefinition | WorkflowDefinition | CrudDefinition;

/** The kinds of plugin Cardflow knows. */
export type PluginKind = PluginDefinition["kind"];

/** Every kind, for messages. */
export const KINDS: readonly PluginKind[] = ["page", "workflow", "crud"];

/** A plugin file after discovery and validation. */
export interface LoadedPlugin<D extends PluginDefinition = PluginDefinition> {
  /** From the file name: `plugins/060_tasks.tsx` → `tasks`, its URL prefix `/tasks`. */
  slug: string;
  /** Menu order, from the file name's number. */
  order: number;
  /** The file name, for error messages. */
  file: string;
  definition: D;
}

/** Whether `plugin` is of `kind`; narrows its definition's type. */
export function isKind<K extends PluginKind>(
  plugin: LoadedPlugin,
  kind: K,
): plugin is LoadedPlugin<Extract<PluginDefinition, { kind: K }>> {
  return plugin.definition.kind === kind;
}

/** The plugins of one kind. */
export function pluginsOf<K extends PluginKind>(
  plugins: readonly LoadedPlugin[],
  kind: K,
): LoadedPlugin<Extract<PluginDefinition, { kind: K }>>[] {
  return plugins.filter((p): p is LoadedPlugin<Extract<PluginDefinition, { kind: K }>> =>
    isKind(p, kind)
  );
}

/** Problems with a definition of any kind, as sentences (empty when sound). */
export function checkDefinition(definition: PluginDefinition): string[] {
  switch (definition.kind) {
    case "page":
      return checkPage(definition);
    case "workflow":
      return checkWorkflow(definition);
    case "crud":
      return checkCrud(definition);
  }
}
