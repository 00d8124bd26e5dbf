/**
 * @module
 * The plugin API: everything a file in `plugins/` may import from Cardflow.
 */

export { definePage } from "./plugin.ts";
export type { PageDefinition, PluginBase } from "./plugin.ts";
export { defineWorkflow } from "./workflow/define.ts";
export type {
  FieldKind,
  FieldSpec,
  FieldValue,
  StepSpec,
  StepValues,
  WorkflowDefinition,
} from "./workflow/define.ts";
export { defineCrud } from "./crud/define.ts";
export type { CrudDefinition, CrudField, CrudFieldType } from "./crud/define.ts";
