/**
 * @module
 * Turning a submitted form into a step's values: each input kind parsed and
 * checked, with one clear message per problem, shown next to the field.
 */

import {
  fieldLabelOf,
  type FieldSpec,
  type FieldValue,
  isRequiredField,
  type StepSpec,
  type StepValues,
} from "./define.ts";

/** The longest text accepted when a field sets no `maxLength`. */
export const MAX_TEXT = 10_000;

/** The options of a select field as value/label pairs. */
export function optionsOf(field: FieldSpec): { value: string; label: string }[] {
  return (field.options ?? []).map((o) => typeof o === "string" ? { value: o, label: o } : o);
}

/** Parse `raw` for `step`: the values to store, or the message to show. */
export function parseStep(
  step: StepSpec,
  raw: string | undefined,
  earlier: StepValues,
): { values: Record<string, FieldValue> } | { error: string } {
  const field = step.field;
  const label = fieldLabelOf(step);
  const required = isRequiredField(field);
  let value: FieldValue;
  const input = (raw ?? "").replace(/\r\n/g, "\n");
  if (field.kind === "checkbox") {
    value = raw === "on" || raw === "true";
  } else {
    const trimmed = field.kind === "textarea" ? input : input.trim();
    if (trimmed === "") {
      if (required) return { error: `${label} is required.` };
    }
    const max = field.maxLength ?? MAX_TEXT;
    if (trimmed.length > max) {
      return { error: `${label} is too long: at most ${max.toLocaleString("en")} characters.` };
    }
    if (field.kind === "number" && trimmed !== "") {
      const n = Number(trimmed);
      if (!Number.isFinite(n) || !/^-?\d+(\.\d+)?$/.test(trimmed)) {
        return { error: `${label} must be a number.` };
      }
      if (field.min !== undefined && n < field.min) {
        return { error: `${label} must be at least ${field.min}.` };
      }
      if (field.max !== undefined && n > field.max) {
        return { error: `${label} must be at most ${field.max}.` };
      }
      value = n;
    } else if (field.kind === "date" && trimmed !== "") {
      const date = new Date(trimmed + "T00:00:00Z");
      if (
        !/^\d{4}-\d{2}-\d{2}$/.test(trimmed) || isNaN(date.getTime()) ||
        date.toISOString().slice(0, 10) !== trimmed
      ) {
        return { error: `${label} must be a date like 2026-11-24.` };
      }
      value = trimmed;
    } else if (field.kind === "select" && trimmed !== "") {
      if (!optionsOf(field).some((o) => o.value === trimmed)) {
        return { error: `${label}: choose one of the listed options.` };
      }
      value = trimmed;
    } else {
      value = trimmed;
    }
  }
  const problem = field.validate?.(value, earlier);
  if (problem) return { error: problem };
  return { values: step.transform ? step.transform(value, earlier) : { [field.name]: value } };
}
