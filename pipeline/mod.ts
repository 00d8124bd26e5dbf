/**
 * @module
 * The plugin API: everything a file in `plugins/` may import from Cardflow.
 */

export { definePage } from "./page.ts";
export type { PageDefinition } from "./page.ts";
export type { PluginBase } from "./base.ts";
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
export type { CrudDefinition, CrudField, CrudFieldType, CrudValue } from "./crud/define.ts";
