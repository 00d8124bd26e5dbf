/**
 * @module
 * Turning a submitted form into a step's values: each field parsed and
 * checked for its kind, then the step's own check over all of them, with one
 * clear message per field, shown next to it. Pure: files are checked for
 * size here and written by the service only once every check passed.
 */

import {
  fieldLabelOf,
  type FieldOption,
  fieldsOf,
  type FieldSpec,
  type FieldValue,
  type FileRef,
  isRequiredField,
  type StepData,
  type StepSpec,
  type StepValues,
  type ValidateContext,
} from "./define.ts";

/** The longest text accepted when a field sets no `maxLength`. */
export const MAX_TEXT = 10_000;

/** Limits for uploads when a field sets none. */
export const FILE_LIMITS = {
  maxBytes: 256 * 1024,
  maxFiles: 10,
  maxTotalBytes: 768 * 1024,
} as const;

/** One field's input as a form (or the assistant) sends it. */
export type RawInput = string | string[] | File | File[] | undefined;

/** A step's input: raw values by field name. */
export type StepInput = Record<string, RawInput>;

/** What a form shows again after a refusal: the text that was typed (files are not sent back). */
export type FormValues = Record<string, string | string[]>;

/** Parsed values, plus the files to write before they are stored. */
export interface Parsed {
  values: StepData;
  /** Files by field name, in the order of `values[name]` (a `FileRef[]` or a `file` field's name). */
  uploads: Record<string, File[]>;
}

/** Refused input: a message per field, and perhaps one for the step as a whole. */
export interface Refusal {
  errors: Record<string, string>;
  message?: string;
}

/** A context that allows nothing, for callers with no network. */
export const NO_NET: ValidateContext = { allows: () => false };

/** The options of a choice field as value/label pairs. */
export function optionsOf(field: FieldSpec): FieldOption[] {
  return (field.options ?? []).map((o) => typeof o === "string" ? { value: o, label: o } : o);
}

/** Every text of `raw` (files dropped). */
export function textsOf(raw: RawInput): string[] {
  const list = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  return list.filter((v): v is string => typeof v === "string");
}

function filesOf(raw: RawInput): File[] {
  const list = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  return list.filter((v): v is File => v instanceof File && v.name !== "");
}

/** The text form of `input`, for a form shown again with its messages. */
export function formValuesOf(step: StepSpec, input: StepInput): FormValues {
  const out: FormValues = {};
  for (const field of fieldsOf(step)) {
    const texts = textsOf(input[field.name]);
    if (field.kind === "multiselect") out[field.name] = texts;
    else if (texts.length > 0) out[field.name] = texts.at(-1)!;
  }
  return out;
}

/** A file name without any folder a browser or a script put before it. */
function baseName(name: string): string {
  return (name.split(/[\\/]/).pop() ?? "").slice(-200) || "file";
}

function kib(bytes: number): string {
  return `${Math.round(bytes / 1024).toLocaleString("en")} KiB`;
}

/** Parse one field: its value, files to write, or the message to show beside it. */
function parseField(
  field: FieldSpec,
  label: string,
  raw: RawInput,
): { value: FieldValue; files?: File[] } | { error: string } | { absent: true } {
  const required = isRequiredField(field);
  if (field.kind === "file" || field.kind === "files") {
    const files = filesOf(raw);
    if (textsOf(raw).some((t) => t !== "")) return { error: `${label} takes files, not text.` };
    const max = field.maxBytes ?? FILE_LIMITS.maxBytes;
    const big = files.find((f) => f.size > max);
    if (big) {
      return {
        error: files.length > 1
          ? `${big.name} is too large: each file may be at most ${kib(max)}.`
          : `${label} is too large: at most ${kib(max)}.`,
      };
    }
    if (field.kind === "file") {
      if (files.length === 0) {
        return required ? { error: `${label}: choose a file.` } : { absent: true };
      }
      return { value: files.at(-1)!.name, files: [files.at(-1)!] };
    }
    if (files.length === 0) {
      return required ? { error: `${label}: choose at least one file.` } : { value: [] };
    }
    const count = field.maxFiles ?? FILE_LIMITS.maxFiles;
    if (files.length > count) return { error: `${label}: at most ${count} files.` };
    const total = files.reduce((sum, f) => sum + f.size, 0);
    const cap = field.maxTotalBytes ?? FILE_LIMITS.maxTotalBytes;
    if (total > cap) return { error: `${label}: the files together may be at most ${kib(cap)}.` };
    const refs: FileRef[] = files.map((f) => ({
      name: baseName(f.name),
      original: baseName(f.name),
      bytes: f.size,
      type: f.type || "application/octet-stream",
    }));
    return { value: refs, files };
  }
  if (filesOf(raw).length > 0) return { error: `${label} takes text, not a file.` };
  const texts = textsOf(raw);
  if (field.kind === "checkbox") {
    const last = texts.at(-1);
    const on = last === "on" || last === "true";
    if (required && !on) return { error: `${label} must be ticked.` };
    return { value: on };
  }
  if (field.kind === "multiselect") {
    const options = optionsOf(field);
    const chosen = new Set(texts.filter((t) => t !== ""));
    if ([...chosen].some((t) => !options.some((o) => o.value === t))) {
      return { error: `${label}: choose among the listed options.` };
    }
    const value = options.map((o) => o.value).filter((v) => chosen.has(v));
    if (required && value.length === 0) return { error: `${label}: choose at least one.` };
    if (field.min !== undefined && value.length < field.min) {
      return { error: `${label}: choose at least ${field.min}.` };
    }
    if (field.max !== undefined && value.length > field.max) {
      return { error: `${label}: choose at most ${field.max}.` };
    }
    return { value };
  }
  const input = (texts.at(-1) ?? "").replace(/\r\n/g, "\n");
  const trimmed = field.kind === "textarea" ? input : input.trim();
  if (trimmed === "" || (field.kind === "textarea" && trimmed.trim() === "")) {
    return required ? { error: `${label} is required.` } : { absent: true };
  }
  const max = field.maxLength ?? MAX_TEXT;
  if (trimmed.length > max) {
    return { error: `${label} is too long: at most ${max.toLocaleString("en")} characters.` };
  }
  return parseText(field, label, trimmed);
}

function parseText(
  field: FieldSpec,
  label: string,
  text: string,
): { value: FieldValue } | { error: string } {
  switch (field.kind) {
    case "number":
    case "range": {
      const n = Number(text);
      if (!Number.isFinite(n) || !/^-?\d+(\.\d+)?$/.test(text)) {
        return { error: `${label} must be a number.` };
      }
      const min = field.min ?? (field.kind === "range" ? 0 : undefined);
      const max = field.max ?? (field.kind === "range" ? 100 : undefined);
      if (min !== undefined && n < min) return { error: `${label} must be at least ${min}.` };
      if (max !== undefined && n > max) return { error: `${label} must be at most ${max}.` };
      const step = field.step ?? (field.kind === "range" ? 1 : undefined);
      if (
        step !== undefined &&
        Math.abs(Math.round((n - (min ?? 0)) / step) * step - (n - (min ?? 0))) > 1e-9
      ) {
        return { error: `${label} must be in steps of ${step}.` };
      }
      return { value: n };
    }
    case "date": {
      const date = new Date(text + "T00:00:00Z");
      if (
        !/^\d{4}-\d{2}-\d{2}$/.test(text) || isNaN(date.getTime()) ||
        date.toISOString().slice(0, 10) !== text
      ) {
        return { error: `${label} must be a date like 2026-11-24.` };
      }
      return { value: text };
    }
    case "select":
    case "radio":
      if (!optionsOf(field).some((o) => o.value === text)) {
        return { error: `${label}: choose one of the listed options.` };
      }
      return { value: text };
    case "url": {
      let url: URL | undefined;
      try {
        url = new URL(text);
      } catch { /* refused below */ }
      if (!url || (url.protocol !== "http:" && url.protocol !== "https:") || !url.hostname) {
        return { error: `${label} must be a web address starting with http:// or https://.` };
      }
      if (url.username || url.password) {
        return { error: `${label} must not hold a user name or password.` };
      }
      return { value: url.href };
    }
    case "email":
      if (!/^[^\s@<>()",;]+@[^\s@<>()",;]+\.[^\s@<>()",;.]{2,}$/.test(text) || text.length > 254) {
        return { error: `${label} must be an email address like ada@example.com.` };
      }
      return { value: text };
    default:
      return { value: text };
  }
}

/**
 * Parse `input` for `step`: the values to store (and files to write), or a
 * message per field. Field checks run first; the step's `validate` only sees
 * values that passed them; `transform` only values that passed both.
 */
export function parseStep(
  step: StepSpec,
  input: StepInput,
  earlier: StepValues,
  context: ValidateContext = NO_NET,
): Parsed | Refusal {
  const values: StepData = {};
  const uploads: Record<string, File[]> = {};
  const errors: Record<string, string> = {};
  for (const field of fieldsOf(step)) {
    const label = fieldLabelOf(step, field);
    const parsed = parseField(field, label, input[field.name]);
    if ("error" in parsed) {
      errors[field.name] = parsed.error;
      continue;
    }
    if ("absent" in parsed) continue;
    const problem = field.validate?.(parsed.value, earlier, context);
    if (problem) {
      errors[field.name] = problem;
      continue;
    }
    values[field.name] = parsed.value;
    if (parsed.files) uploads[field.name] = parsed.files;
  }
  if (Object.keys(errors).length > 0) return { errors };
  const problem = step.validate?.(values, earlier, context);
  if (typeof problem === "string") return { errors: {}, message: problem };
  if (problem && Object.keys(problem).length > 0) return { errors: { ...problem } };
  return { values: step.transform ? step.transform(values, earlier) : values, uploads };
}

/** Whether `result` is a refusal. */
export function isRefusal(result: Parsed | Refusal): result is Refusal {
  return "errors" in result;
}

/** Stored `values` of `step` as the input a form would send (to check them again, on import). */
export function inputOf(step: StepSpec, values: StepData): StepInput {
  const input: StepInput = {};
  for (const field of fieldsOf(step)) {
    const value = values[field.name];
    if (value === undefined) continue;
    if (field.kind === "file" || field.kind === "files") continue;
    if (typeof value === "boolean") input[field.name] = value ? "on" : "";
    else if (Array.isArray(value)) input[field.name] = value.map(String);
    else input[field.name] = String(value);
  }
  return input;
}

/**
 * The values a form starts with: the refilled previous values, else a start
 * link's, else the suggestion, else each field's default.
 */
export function formStart(
  step: StepSpec,
  options: { earlier: StepValues; previous?: StepData; prefill?: FormValues },
): Record<string, FieldValue> {
  const out: Record<string, FieldValue> = {};
  const fields = fieldsOf(step);
  for (const field of fields) if (field.default !== undefined) out[field.name] = field.default;
  const suggested = step.suggest?.(options.earlier);
  if (suggested !== undefined) {
    const isMap = typeof suggested === "object" && !Array.isArray(suggested);
    if (isMap) {
      for (const [name, value] of Object.entries(suggested)) {
        if (value !== undefined) out[name] = value;
      }
    } else if (fields[0]) out[fields[0].name] = suggested;
  }
  if (options.prefill) Object.assign(out, options.prefill);
  if (step.refill && options.previous) {
    for (const field of fields) {
      const value = options.previous[field.name];
      if (value !== undefined) out[field.name] = value;
    }
  }
  return out;
}
