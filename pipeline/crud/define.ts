/**
 * @module
 * `defineCrud`: the BaseApp of the FastHTML design Cardflow descends from,
 * as a declaration. A list-shaped app names its fields, which boolean the
 * checkbox toggles and whether records belong to the current profile; the
 * services derive the table (and follow its changes), the engine the routes
 * and rendering, the chat what it is told.
 */

import type { Child } from "hono/jsx";
import type { PluginBase } from "../base.ts";

/**
 * A field's type: `text` (one line), `textarea` (several), `int` (whole
 * numbers), `number` (any finite number), `bool`, `date` (YYYY-MM-DD),
 * `select` (one of `options`), `url` (http or https) and `tags` (a list of
 * short words, stored as JSON text).
 */
export type CrudFieldType =
  | "text"
  | "textarea"
  | "int"
  | "number"
  | "bool"
  | "date"
  | "select"
  | "url"
  | "tags";

/** Every field type, in the order the docs list them. */
export const FIELD_TYPES: readonly CrudFieldType[] = [
  "text",
  "textarea",
  "int",
  "number",
  "bool",
  "date",
  "select",
  "url",
  "tags",
];

/** A value a CRUD field holds. */
export type CrudValue = string | number | boolean | string[];

/** One field of a CRUD app's records. */
export interface CrudField {
  name: string;
  label?: string;
  type: CrudFieldType;
  /**
   * Defaults to true for text, false otherwise; a bool is never empty, and
   * required tags need at least one tag.
   */
  required?: boolean;
  /**
   * The value a new record gets when the field is left out, and the value
   * existing records get when the field is added to an app that has data
   * (a new required field needs one). Bool fields default to false, tags
   * to no tags.
   */
  default?: CrudValue;
  /** For text, textarea and url: at most this many characters (500, 5,000 and 2,000 by default). */
  maxLength?: number;
  /** For int and number: the smallest and largest value accepted. */
  min?: number;
  max?: number;
  /** For select: the values to choose from. */
  options?: readonly string[];
  /** Shown in the add form (by default only text fields are). */
  inForm?: boolean;
  /** Told to the LLM. */
  description?: string;
}

/** A CRUD app's definition. */
export interface CrudDefinition extends PluginBase {
  kind: "crud";
  fields: CrudField[];
  /** The bool field the row's checkbox toggles. */
  toggle?: string;
  /** Keep records in a user-chosen order (drag and drop, move up and down). */
  sort?: boolean;
  /** "profile": each record belongs to the current profile. */
  scope?: "profile";
  /** Records to insert when the table is created (never again, even when it is emptied). */
  seed?: Record<string, CrudValue>[];
  /**
   * Offer "Restore defaults": replace every record with the `seed` ones, in
   * one transaction and with one undo.
   */
  restorable?: boolean;
  /** The SQL table; the slug (with `_` for `-`) when omitted. */
  table?: string;
  /** Whether the chat assistant may list and change this app's records (default true). */
  assistant?: boolean;
  /**
   * What Cardflow itself reads from this app: "profiles" (rows get a "Use"
   * button that switches the current profile; deleting one asks before
   * deleting its records elsewhere) or "roles" (active rows' names choose
   * the menu groups).
   */
  holds?: "profiles" | "roles";
  /**
   * Escape hatch for a custom row: what a record shows after its title
   * (instead of "field: value" for the other fields). Pure; escape nothing
   * yourself, JSX does.
   */
  details?: (record: Record<string, unknown>) => Child;
  /**
   * Changes that lose data, said out loud: `drop` names fields removed from
   * `fields` whose stored values may be deleted. Without it, removing a
   * field that still holds data stops start-up with a message.
   */
  migrate?: { drop?: string[] };
}

/** Declare a CRUD app. */
export function defineCrud(definition: Omit<CrudDefinition, "kind">): CrudDefinition {
  return { kind: "crud", ...definition };
}

/** Columns every CRUD table may have besides its fields. */
export const SYSTEM_COLUMNS = ["id", "profile_id", "position"];

/** Whether a record must have a value for `field` (the one place this default lives). */
export function isRequired(field: CrudField): boolean {
  return field.type !== "bool" && (field.required ?? field.type === "text");
}

/** The label a person sees for `field` (the one place this rule lives). */
export function fieldLabel(field: { name: string; label?: string }): string {
  return field.label ?? field.name.replaceAll("_", " ");
}

/** The value a left-out `field` gets, if any (a fresh copy for tags). */
export function defaultOf(field: CrudField): CrudValue | undefined {
  const value = field.default ??
    (field.type === "bool" ? false : field.type === "tags" ? [] : undefined);
  return Array.isArray(value) ? [...value] : value;
}

/** The SQL table of the app `slug` (the one place this rule lives). */
export function tableOf(slug: string, definition: CrudDefinition): string {
  return definition.table ?? slug.replaceAll("-", "_");
}

/** The field a row shows as its title: the first text field. */
export function titleField(definition: CrudDefinition): string {
  return definition.fields.find((f) => f.type === "text")!.name;
}

/** Whether search looks into `field` (the one place this rule lives): the fields holding words. */
export function isSearchable(field: CrudField): boolean {
  return ["text", "textarea", "url", "tags"].includes(field.type);
}

/** Whether `field` is shown in the add form (by default only text fields are). */
export function inAddForm(field: CrudField): boolean {
  return field.inForm ?? field.type === "text";
}
