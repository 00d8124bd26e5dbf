/**
 * @module
 * What every assistant tool shares: the outcome of a call, and reading the
 * model's arguments (JSON it wrote, so never trusted) into checked values.
 */

import { ValidationError } from "../lib/errors.ts";
import type { ToolCall } from "../lib/llm.ts";
import type { Operation } from "../services/events.ts";

/** What a tool call did, for the panel and for the model. */
export interface ToolOutcome {
  /** One line for the panel: "Added task “Buy milk” (#4)." */
  summary: string;
  /** What goes back to the model (JSON text, bounded). */
  result: string;
  /** It changed something: how to undo it. */
  undo?: Operation;
  /** It would change something the person must confirm: the operation Apply runs. */
  proposal?: Operation;
  /** It was refused: nothing changed. */
  refused?: boolean;
  /** It changed data (counts against the answer's write budget). */
  wrote: boolean;
}

/** The most a tool result may send back to the model. */
export const MAX_RESULT_CHARS = 4000;

/** `value` as JSON for the model, cut at {@linkcode MAX_RESULT_CHARS}. */
export function bounded(value: unknown): string {
  const text = JSON.stringify(value) ?? "null";
  return text.length > MAX_RESULT_CHARS
    ? text.slice(0, MAX_RESULT_CHARS) + "… (cut: ask for less)"
    : text;
}

/** The call's arguments as an object (the model may send them as JSON text). */
export function args(call: ToolCall): Record<string, unknown> {
  let value = call.arguments;
  if (typeof value === "string") {
    try {
      value = JSON.parse(value);
    } catch {
      throw new ValidationError("tool", undefined, "its arguments were not valid JSON");
    }
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) {
    throw new ValidationError("tool", undefined, "its arguments were not an object");
  }
  return value as Record<string, unknown>;
}

/** `value` as an object of fields, or undefined when absent. */
export function record(value: unknown): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  if (!value || typeof value !== "object" || Array.isArray(value)) {
    throw new ValidationError("tool", "values", "values must be an object of fields");
  }
  return value as Record<string, unknown>;
}

/** `value` as a whole number, or undefined when absent. */
export function wholeNumber(value: unknown, what: string): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isSafeInteger(value)) {
    throw new ValidationError("tool", what, `${what} must be a whole number`);
  }
  return value as number;
}

/** `value` as non-empty text, trimmed. */
export function text(value: unknown, what: string): string {
  if (typeof value !== "string" || value.trim() === "") {
    throw new ValidationError("tool", what, `${what} is needed`);
  }
  return value.trim();
}
