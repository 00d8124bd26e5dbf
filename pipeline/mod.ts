/**
 * @module
 * The plugin API: everything a file in `plugins/` may import from Cardflow.
 */

export { definePage } from "./page.ts";
export type { PageDefinition } from "./page.ts";
export type { PluginBase } from "./base.ts";
export { defineWorkflow, fieldsOf } from "./workflow/define.ts";
export type {
  Cell,
  DisplayContext,
  DownloadSpec,
  DownloadTable,
  FieldKind,
  FieldOption,
  FieldSpec,
  FieldValue,
  FileRef,
  JobContext,
  JobSpec,
  Row,
  StepData,
  StepSpec,
  StepValues,
  ValidateContext,
  WorkflowDefinition,
} from "./workflow/define.ts";
export { describeNetError, NetError } from "../lib/net.ts";
export type { NetErrorKind, NetFetch, NetResponse } from "../lib/net.ts";
export { defineCrud } from "./crud/define.ts";
export type { CrudDefinition, CrudField, CrudFieldType, CrudValue } from "./crud/define.ts";
