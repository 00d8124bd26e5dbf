/**
 * @module
 * `defineWorkflow`: a workflow is a declaration — a title, a description and
 * a list of steps, each with one field — from which the engine derives its
 * routes, its cards and its state rules.
 */

import type { Child } from "hono/jsx";
import type { PluginBase } from "../base.ts";

/** The input kinds a step's field can have. */
export type FieldKind = "text" | "textarea" | "number" | "select" | "checkbox" | "date" | "file";

/** A value a field holds once parsed. */
export type FieldValue = string | number | boolean;

/** The values of every completed step, by step id. */
export type StepValues = Record<string, Record<string, FieldValue>>;

/** One step's field. */
export interface FieldSpec {
  name: string;
  kind: FieldKind;
  /** Label shown above the input; the step's label when omitted. */
  label?: string;
  /** Defaults to true (a checkbox is never required). */
  required?: boolean;
  /** For `select`: the allowed values, or value/label pairs. */
  options?: (string | { value: string; label: string })[];
  /** For `number`. */
  min?: number;
  max?: number;
  /** For text kinds; at most 10,000 characters when omitted. */
  maxLength?: number;
  placeholder?: string;
  /** For `file`: the largest upload accepted (256 KiB when omitted). */
  maxBytes?: number;
  /** Extra validation: return a message to refuse the value. */
  validate?: (value: FieldValue, earlier: StepValues) => string | undefined;
}

/** One card of a workflow. */
export interface StepSpec {
  /** Unique within the workflow; letters, digits, `_` and `-`. */
  id: string;
  label: string;
  field: FieldSpec;
  /** When the step is shown again for editing, pre-fill its previous value (`persistent` in the original design). */
  refill?: boolean;
  /** The value suggested in the form, computed from earlier steps. */
  suggest?: (earlier: StepValues) => FieldValue | undefined;
  /** Turn the submitted value into what is stored (may add more keys). */
  transform?: (value: FieldValue, earlier: StepValues) => Record<string, FieldValue>;
  /** How the completed card shows its values; plain text of each value when omitted. */
  display?: (values: Record<string, FieldValue>) => Child;
  /**
   * Long-running work started by submitting the step. It runs on the server,
   * reports progress (shown live), and its result is stored with the step's
   * values; the run can be left and resumed meanwhile.
   */
  job?: JobSpec;
}

/** A step's long-running work. */
export interface JobSpec {
  /** Do the work for the submitted `value`; call `report` as it goes; stop when `signal` aborts. */
  run(
    value: FieldValue,
    report: (done: number, total: number, note?: string) => void,
    signal: AbortSignal,
  ): Promise<Record<string, FieldValue>>;
}

/** A workflow plugin's definition. */
export interface WorkflowDefinition extends PluginBase {
  kind: "workflow";
  steps: StepSpec[];
  /** Text on the card shown once every step is done, before finalizing. */
  finish?: string;
}

/** The label a person sees for `field` of `step` (the one place this rule lives). */
export function fieldLabelOf(step: StepSpec, field: FieldSpec = step.field): string {
  return field.label ?? step.label;
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
    if (!step.field || !step.field.name) {
      problems.push(`step "${step.id}" needs a field with a name`);
    }
    if (step.field?.kind === "select" && !step.field.options?.length) {
      problems.push(`step "${step.id}": a select field needs options`);
    }
  }
  return problems;
}
