/**
 * @module
 * Checking one value for a CRUD field, pure: forms send strings, the LLM
 * sends JSON, and both get the same rules and the same messages.
 */

import { ValidationError } from "../../lib/errors.ts";
import { type CrudField, defaultOf, fieldLabel, isRequired } from "./define.ts";

/** Text fields accept at most this many characters unless a field says otherwise. */
export const MAX_TEXT = 500;

/** Check one value for `field` of app `app`; `undefined` means "left out" and takes the default. */
export function parseValue(
  app: string,
  field: CrudField,
  raw: unknown,
): string | number | boolean | null {
  const label = fieldLabel(field);
  if (raw === undefined && defaultOf(field) !== undefined) return defaultOf(field)!;
  if (field.type === "bool") {
    if (typeof raw === "boolean") return raw;
    if (raw === "on" || raw === "true" || raw === "1") return true;
    if (raw === "false" || raw === "0" || raw === "" || raw === undefined || raw === null) {
      return false;
    }
    throw new ValidationError(app, field.name, `${label} must be true or false.`);
  }
  if (raw === undefined || raw === null || (typeof raw === "string" && raw.trim() === "")) {
    if (isRequired(field)) throw new ValidationError(app, field.name, `${label} is required.`);
    return null;
  }
  if (field.type === "int") {
    const n = typeof raw === "number"
      ? raw
      : typeof raw === "string" && /^-?\d{1,15}$/.test(raw.trim())
      ? Number(raw)
      : NaN;
    if (!Number.isSafeInteger(n)) {
      throw new ValidationError(app, field.name, `${label} must be a whole number.`);
    }
    return n;
  }
  if (typeof raw !== "string") throw new ValidationError(app, field.name, `${label} must be text.`);
  // SQLite keeps it, but node:sqlite reads text only up to it: refused, never cut short.
  if (raw.includes("\0")) {
    throw new ValidationError(
      app,
      field.name,
      `${label} cannot hold a NUL character (\\0); remove it and try again.`,
    );
  }
  const text = raw.trim();
  const max = field.maxLength ?? MAX_TEXT;
  if (text.length > max) {
    throw new ValidationError(app, field.name, `${label} is too long: at most ${max} characters.`);
  }
  return text;
}
