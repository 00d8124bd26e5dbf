/**
 * @module
 * `defineWorkflow`: a workflow is a declaration — a title, a description and
 * a list of steps, each with its fields — from which the engine derives its
 * routes, its cards and its state rules. A step's fields live in `fields`;
 * `field` is the shorthand for a step with one, and {@linkcode fieldsOf}
 * reads either.
 */

import type { Child } from "hono/jsx";
import { isHostPattern, type NetFetch } from "../../lib/net.ts";
import type { PluginBase } from "../base.ts";

/** The input kinds a step's field can have. */
export type FieldKind =
  | "text"
  | "textarea"
  | "number"
  | "select"
  | "checkbox"
  | "date"
  | "file"
  | "radio"
  | "multiselect"
  | "range"
  | "url"
  | "email"
  | "files";

/** A file a run keeps (an upload or a job's output), under the run's folder in the data folder. */
export type FileRef = {
  /** The stored name, unique within the run's folder. */
  name: string;
  /** The name it was uploaded or saved with. */
  original: string;
  bytes: number;
  /** Its media type, as declared; downloads are served as attachments whatever it says. */
  type: string;
};

/** One cell of a stored table. */
export type Cell = string | number | boolean | null;

/** One row of a stored table (a job's result, say). */
export type Row = Record<string, Cell>;

/**
 * A value a field holds once parsed: text, a number, a yes/no, the choices
 * of a multiselect, the files of a files field, or a table a job produced.
 */
export type FieldValue = string | number | boolean | string[] | FileRef[] | Row[];

/** One step's stored values. */
export type StepData = Record<string, FieldValue>;

/** The values of every completed step, by step id. */
export type StepValues = Record<string, StepData>;

/** A choice of a select, radio or multiselect field. */
export interface FieldOption {
  value: string;
  label: string;
  /** For a select: options with the same group are shown under that heading. */
  group?: string;
}

/** What a field's or a step's `validate` may ask about the world. */
export interface ValidateContext {
  /**
   * Whether this workflow's `fetch` may reach the host of `url` (its `net`
   * plus the hosts the user allowed); addresses are checked when fetched.
   */
  allows(url: string): boolean;
}

/** One field of a step. */
export interface FieldSpec {
  name: string;
  kind: FieldKind;
  /** Label shown beside the input; the step's label when omitted. */
  label?: string;
  /** A sentence under the label. */
  help?: string;
  /** Defaults to true (a checkbox is never required; a required multiselect needs one choice). */
  required?: boolean;
  /** For `select`, `radio` and `multiselect`: the choices, as values or value/label pairs. */
  options?: (string | FieldOption)[];
  /** For `number` and `range` (range: 0 and 100 when omitted); for `multiselect`, the count of choices. */
  min?: number;
  max?: number;
  /** For `number` and `range`: the granularity (range: 1 when omitted). */
  step?: number;
  /** For text kinds; at most 10,000 characters when omitted. */
  maxLength?: number;
  placeholder?: string;
  /** For `file` and `files`: the largest file accepted (256 KiB when omitted). */
  maxBytes?: number;
  /** For `files`: how many (10 when omitted) and how many bytes together (768 KiB when omitted). */
  maxFiles?: number;
  maxTotalBytes?: number;
  /** For `file` and `files`: the browser's file picker filter, e.g. ".csv,text/csv". */
  accept?: string;
  /** The value a fresh form starts with (before `suggest` and `refill`). */
  default?: FieldValue;
  /** Extra validation of this field: return a message to refuse the value. */
  validate?: (
    value: FieldValue,
    earlier: StepValues,
    context: ValidateContext,
  ) => string | undefined;
}

/** What a step's `display` and `intro` receive besides its values. */
export interface DisplayContext {
  /** The values of the steps before this one. */
  earlier: StepValues;
  /** URLs of this step's downloads, by kind ("csv", "json"). */
  downloads: Partial<Record<DownloadKind, string>>;
  /** The URL that downloads a file the run keeps. */
  fileUrl(file: FileRef): string;
}

/** A table for a CSV download: rows, and optionally the columns in order. */
export type DownloadTable = Row[] | { columns: string[]; rows: Row[] };

/** The formats a step can offer for download. */
export type DownloadKind = "csv" | "json";

/** A step's downloads, computed from its values and the earlier steps' (pure, no I/O). */
export interface DownloadSpec {
  csv?: (values: StepData, earlier: StepValues) => DownloadTable;
  json?: (values: StepData, earlier: StepValues) => unknown;
  /** The file name without extension; the workflow's name and the step id when omitted. */
  name?: string;
}

/** One card of a workflow. */
export interface StepSpec {
  /** Unique within the workflow; letters, digits, `_` and `-`. */
  id: string;
  label: string;
  /** The step's one field (shorthand for `fields: [field]`). */
  field?: FieldSpec;
  /** The step's fields; may be empty for a step that is only a button (a job, a review). */
  fields?: FieldSpec[];
  /** When the step is shown again for editing, pre-fill its previous values (`persistent` in the original design). */
  refill?: boolean;
  /**
   * The values suggested in the form, computed from earlier steps: one value
   * for a step with `field`, or values by field name.
   */
  suggest?: (earlier: StepValues) => FieldValue | Partial<StepData> | undefined;
  /** Check the step's values together: a message, or messages by field name. */
  validate?: (
    values: StepData,
    earlier: StepValues,
    context: ValidateContext,
  ) => string | Record<string, string> | undefined;
  /** Turn the parsed values into what is stored (may add more keys). */
  transform?: (values: StepData, earlier: StepValues) => StepData;
  /** Shown above the step's form (a preview of what earlier steps produced, say). */
  intro?: (earlier: StepValues, context: DisplayContext) => Child;
  /** How the completed card shows its values; each value as text when omitted. */
  display?: (values: StepData, context: DisplayContext) => Child;
  /** Files to download from the completed card (and from the form, if the step has an intro). */
  download?: DownloadSpec;
  /**
   * Long-running work started by submitting the step. It runs on the server,
   * reports progress (shown live), can be cancelled, and its result is stored
   * with the step's values; the run can be left and resumed meanwhile.
   */
  job?: JobSpec;
}

/** What a job's `run` receives besides the step's values. */
export interface JobContext {
  /** Say how far the work is: "12 of 40: https://…" (written at most five times a second). */
  report(done: number, total: number, note?: string): void;
  /** Aborts when the person cancels or Cardflow stops: stop promptly. */
  signal: AbortSignal;
  /**
   * Fetch within the workflow's `net` hosts and the ones the user allowed
   * (`--net-host`); anything else is refused with a `NetError`.
   * Requests are cancelled with the job.
   */
  fetch: NetFetch;
  /** The values of the steps before this one. */
  earlier: StepValues;
  /** Keep a file the work produced with the run (downloadable from its card). */
  save(name: string, content: string | Uint8Array, type?: string): Promise<FileRef>;
}

/** A step's long-running work. */
export interface JobSpec {
  /** Do the work for the submitted `values`; its result joins them. */
  run(values: StepData, context: JobContext): Promise<StepData>;
}

/** A workflow plugin's definition. */
export interface WorkflowDefinition extends PluginBase {
  kind: "workflow";
  steps: StepSpec[];
  /** Text on the card shown once every step is done, before finalizing. */
  finish?: string;
  /**
   * Hosts its jobs may fetch from: `api.example.com`, `*.wikipedia.org`,
   * `example.com:8443`. The user adds more with `--net-host`.
   */
  net?: string[];
}

/** The fields of `step`, whether it declares `field` or `fields`. */
export function fieldsOf(step: StepSpec): FieldSpec[] {
  return step.fields ?? (step.field ? [step.field] : []);
}

/** The label a person sees for `field` of `step` (the one place this rule lives). */
export function fieldLabelOf(
  step: StepSpec,
  field: FieldSpec | undefined = fieldsOf(step)[0],
): string {
  return field?.label ?? step.label;
}

/** Whether `field` must be filled in: by default every kind but a checkbox. */
export function isRequiredField(field: FieldSpec): boolean {
  return field.required ?? field.kind !== "checkbox";
}

/** Declare a workflow. */
export function defineWorkflow(definition: Omit<WorkflowDefinition, "kind">): WorkflowDefinition {
  return { kind: "workflow", ...definition };
}

const ID = /^[A-Za-z][A-Za-z0-9_-]{0,39}$/;
const FIELD_NAME = /^[A-Za-z][A-Za-z0-9_]{0,39}$/;
const CHOICES: FieldKind[] = ["select", "radio", "multiselect"];

function checkField(step: StepSpec, field: FieldSpec, seen: Set<string>): string[] {
  const problems: string[] = [];
  const where = `step "${step.id}"`;
  if (!field || !FIELD_NAME.test(field.name ?? "")) {
    return [`${where} needs fields with names of letters, digits and _`];
  }
  if (seen.has(field.name)) problems.push(`${where}: duplicate field "${field.name}"`);
  seen.add(field.name);
  if (CHOICES.includes(field.kind) && !field.options?.length) {
    problems.push(`${where}: a ${field.kind} field needs options`);
  }
  if (field.kind === "range" && (field.min ?? 0) >= (field.max ?? 100)) {
    problems.push(`${where}: a range field needs min below max`);
  }
  return problems;
}

/** A digest of the steps' ids and fields: changes when a stored run may no longer fit. */
export function definitionVersion(definition: WorkflowDefinition): string {
  const shape = definition.steps.map((step) => [
    step.id,
    fieldsOf(step).map((f) => [f.name, f.kind, (f.options ?? []).map(String).join("|")]),
    step.job ? "job" : "",
  ]);
  const text = JSON.stringify(shape);
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return (hash >>> 0).toString(16).padStart(8, "0");
}

/** Problems with a workflow definition, as sentences (empty when sound). */
export function checkWorkflow(definition: WorkflowDefinition): string[] {
  const problems: string[] = [];
  if (!Array.isArray(definition.steps) || definition.steps.length === 0) {
    return ["a workflow needs at least one step"];
  }
  const seen = new Set<string>();
  for (const step of definition.steps) {
    if (!ID.test(step.id ?? "")) {
      problems.push(`step id "${step.id}" must be letters, digits, _ or -`);
    }
    if (seen.has(step.id)) problems.push(`duplicate step id "${step.id}"`);
    seen.add(step.id);
    if (!step.label) problems.push(`step "${step.id}" needs a label`);
    if (step.field && step.fields) {
      problems.push(`step "${step.id}": give either field or fields, not both`);
    }
    if (!step.field && !step.fields) {
      problems.push(`step "${step.id}" needs a field (or fields: [] for a button alone)`);
    }
    const names = new Set<string>();
    for (const field of fieldsOf(step)) problems.push(...checkField(step, field, names));
  }
  for (const host of definition.net ?? []) {
    if (!isHostPattern(host)) {
      problems.push(`net: "${host}" is not a host pattern (like api.example.com or *.example.com)`);
    }
  }
  return problems;
}
