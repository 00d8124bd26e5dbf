/**
 * @module
 * Checking one value for a CRUD field, pure: forms send strings, the LLM
 * and imports send JSON, and all get the same rules and the same messages.
 * The one place a field type's validation lives.
 */

import { ValidationError } from "../../lib/errors.ts";
import { type CrudField, type CrudValue, defaultOf, fieldLabel, isRequired } from "./define.ts";

/** Text fields accept at most this many characters unless a field says otherwise. */
export const MAX_TEXT = 500;
/** The same for textarea fields. */
export const MAX_TEXTAREA = 5_000;
/** The same for url fields. */
export const MAX_URL = 2_000;
/** A tag is at most this long, and a record has at most this many. */
export const MAX_TAG = 40;
export const MAX_TAGS = 20;

/** The longest value `field` accepts, for the fields that have one. */
export function maxLengthOf(field: CrudField): number | undefined {
  if (field.type === "text") return field.maxLength ?? MAX_TEXT;
  if (field.type === "textarea") return field.maxLength ?? MAX_TEXTAREA;
  if (field.type === "url") return field.maxLength ?? MAX_URL;
  return undefined;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** Whether `text` is a real calendar day written YYYY-MM-DD. */
export function isDate(text: string): boolean {
  const m = DATE.exec(text);
  if (!m) return false;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return date.getUTCFullYear() === Number(m[1]) && date.getUTCMonth() === Number(m[2]) - 1 &&
    date.getUTCDate() === Number(m[3]);
}

/** The tags in `raw` (a list, or words separated by commas), cleaned; throws on a bad one. */
function parseTags(app: string, field: CrudField, raw: unknown): string[] {
  const label = fieldLabel(field);
  const bad = (why: string) => new ValidationError(app, field.name, `${label}: ${why}`);
  const items = Array.isArray(raw) ? raw : typeof raw === "string" ? raw.split(",") : null;
  if (!items) throw bad("give a list of tags, or words separated by commas.");
  const out: string[] = [];
  const seen = new Set<string>();
  for (const item of items) {
    if (typeof item !== "string") throw bad("each tag must be text.");
    const tag = item.trim().replace(/\s+/g, " ");
    if (tag === "") continue;
    if (tag.includes(",")) throw bad(`"${tag.slice(0, 40)}" holds a comma; tags cannot.`);
    if (tag.length > MAX_TAG) throw bad(`each tag is at most ${MAX_TAG} characters.`);
    if (seen.has(tag.toLowerCase())) continue;
    seen.add(tag.toLowerCase());
    out.push(tag);
  }
  if (out.length > MAX_TAGS) throw bad(`at most ${MAX_TAGS} tags.`);
  return out;
}

function parseNumber(app: string, field: CrudField, raw: unknown, whole: boolean): number {
  const label = fieldLabel(field);
  const text = typeof raw === "string" ? raw.trim() : "";
  const n = typeof raw === "number"
    ? raw
    : whole
    ? (/^[+-]?\d{1,15}$/.test(text) ? Number(text) : NaN)
    : (NUMBER.test(text) && text.length <= 40 ? Number(text) : NaN);
  if (whole ? !Number.isSafeInteger(n) : !Number.isFinite(n)) {
    throw new ValidationError(
      app,
      field.name,
      `${label} must be ${whole ? "a whole number" : "a number"}.`,
    );
  }
  if (field.min !== undefined && n < field.min) {
    throw new ValidationError(app, field.name, `${label} must be at least ${field.min}.`);
  }
  if (field.max !== undefined && n > field.max) {
    throw new ValidationError(app, field.name, `${label} must be at most ${field.max}.`);
  }
  return n === 0 ? 0 : n; // never -0
}

function parseUrl(app: string, field: CrudField, text: string): string {
  const label = fieldLabel(field);
  // "example.com/x" is what people type: read it as https.
  const candidate = /^[a-z][a-z0-9+.-]*:/i.test(text) ? text : `https://${text}`;
  let url: URL | undefined;
  try {
    url = new URL(candidate);
  } catch { /* reported below */ }
  if (
    !url || !["http:", "https:"].includes(url.protocol) || !url.hostname.includes(".") &&
      url.hostname !== "localhost"
  ) {
    throw new ValidationError(
      app,
      field.name,
      `${label} must be a web address like https://example.com.`,
    );
  }
  return url.href;
}

/**
 * Check one value for `field` of app `app`; `undefined` means "left out"
 * and takes the default. Returns the value to store: trimmed text, a number,
 * a boolean, a YYYY-MM-DD day, a normalised URL, a list of tags, or null
 * for an empty optional field.
 */
export function parseValue(
  app: string,
  field: CrudField,
  raw: unknown,
): CrudValue | null {
  const label = fieldLabel(field);
  if (raw === undefined && defaultOf(field) !== undefined) return defaultOf(field)!;
  if (field.type === "bool") {
    if (typeof raw === "boolean") return raw;
    if (raw === "on" || raw === "true" || raw === "1" || raw === 1) return true;
    if (
      raw === "false" || raw === "0" || raw === 0 || raw === "" || raw === undefined ||
      raw === null
    ) {
      return false;
    }
    throw new ValidationError(app, field.name, `${label} must be true or false.`);
  }
  if (field.type === "tags") {
    const tags = raw === undefined || raw === null ? [] : parseTags(app, field, raw);
    if (tags.length === 0 && isRequired(field)) {
      throw new ValidationError(app, field.name, `${label} needs at least one tag.`);
    }
    return tags;
  }
  if (raw === undefined || raw === null || (typeof raw === "string" && raw.trim() === "")) {
    if (isRequired(field)) throw new ValidationError(app, field.name, `${label} is required.`);
    return null;
  }
  if (field.type === "int" || field.type === "number") {
    return parseNumber(app, field, raw, field.type === "int");
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
  const text = field.type === "textarea" ? raw.replace(/\r\n?/g, "\n").trim() : raw.trim();
  const max = maxLengthOf(field);
  if (max !== undefined && text.length > max) {
    throw new ValidationError(
      app,
      field.name,
      `${label} is too long: at most ${max.toLocaleString("en")} characters.`,
    );
  }
  switch (field.type) {
    case "date":
      if (!isDate(text)) {
        throw new ValidationError(app, field.name, `${label} must be a date like 2026-11-24.`);
      }
      return text;
    case "select": {
      const options = field.options ?? [];
      const match = options.find((o) => o === text) ??
        options.find((o) => o.toLowerCase() === text.toLowerCase());
      if (match === undefined) {
        throw new ValidationError(
          app,
          field.name,
          `${label} must be one of: ${options.join(", ")}.`,
        );
      }
      return match;
    }
    case "url":
      return parseUrl(app, field, text);
    default:
      return text;
  }
}
