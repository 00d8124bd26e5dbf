/**
 * @module
 * The plugin API: everything a file in `plugins/` may import from Cardflow.
 */

export { definePage } from "./plugin.ts";
export type { PageDefinition, PluginBase } from "./plugin.ts";
