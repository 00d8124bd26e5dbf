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

/** A field's type. */
export type CrudFieldType = "text" | "int" | "bool";

/** A value a CRUD field holds. */
export type CrudValue = string | number | boolean;

/** One field of a CRUD app's records. */
export interface CrudField {
  name: string;
  label?: string;
  type: CrudFieldType;
  /** Defaults to true for text, false otherwise; a bool is never empty. */
  required?: boolean;
  /**
   * The value a new record gets when the field is left out, and the value
   * existing records get when the field is added to an app that has data
   * (a new required field needs one). Bool fields default to false.
   */
  default?: CrudValue;
  /** For text: at most this many characters (500 when omitted). */
  maxLength?: number;
  /** Shown in the add form (text fields only) unless false. */
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
const NAME = /^[a-z][a-z0-9_]{0,39}$/;
const TYPES: readonly CrudFieldType[] = ["text", "int", "bool"];

/** Whether a record must have a value for `field` (the one place this default lives). */
export function isRequired(field: CrudField): boolean {
  return field.type !== "bool" && (field.required ?? field.type === "text");
}

/** The label a person sees for `field` (the one place this rule lives). */
export function fieldLabel(field: { name: string; label?: string }): string {
  return field.label ?? field.name.replaceAll("_", " ");
}

/** The value a left-out `field` gets, if any. */
export function defaultOf(field: CrudField): CrudValue | undefined {
  return field.default ?? (field.type === "bool" ? false : undefined);
}

/** The SQL table of the app `slug` (the one place this rule lives). */
export function tableOf(slug: string, definition: CrudDefinition): string {
  return definition.table ?? slug.replaceAll("-", "_");
}

/** The field a row shows as its title: the first text field. */
export function titleField(definition: CrudDefinition): string {
  return definition.fields.find((f) => f.type === "text")!.name;
}

function fits(field: CrudField, value: unknown): boolean {
  if (field.type === "bool") return typeof value === "boolean";
  if (field.type === "int") return Number.isSafeInteger(value);
  return typeof value === "string" && value.length <= (field.maxLength ?? 500);
}

/** Problems with a CRUD definition, as sentences. */
export function checkCrud(definition: CrudDefinition): string[] {
  const problems: string[] = [];
  if (!Array.isArray(definition.fields) || definition.fields.length === 0) {
    return ["a CRUD app needs fields"];
  }
  const seen = new Set<string>();
  for (const field of definition.fields) {
    if (!NAME.test(field.name ?? "")) {
      problems.push(`field name "${field.name}" must be lower-case letters, digits or _`);
    }
    if (SYSTEM_COLUMNS.includes(field.name)) {
      problems.push(`field name "${field.name}" is reserved`);
    }
    if (seen.has(field.name)) problems.push(`duplicate field "${field.name}"`);
    seen.add(field.name);
    if (!TYPES.includes(field.type)) {
      problems.push(`field "${field.name}" has unknown type "${field.type}"`);
    } else if (field.default !== undefined && !fits(field, field.default)) {
      problems.push(
        `field "${field.name}": its default ${
          JSON.stringify(field.default)
        } is not a ${field.type}`,
      );
    }
  }
  if (!definition.fields.some((f) => f.type === "text")) {
    problems.push("a CRUD app needs a text field to show");
  }
  if (
    definition.toggle &&
    definition.fields.find((f) => f.name === definition.toggle)?.type !== "bool"
  ) {
    problems.push(`toggle "${definition.toggle}" must name a bool field`);
  }
  if (definition.holds !== undefined && !["profiles", "roles"].includes(definition.holds)) {
    problems.push(`holds must be "profiles" or "roles", not "${definition.holds}"`);
  }
  for (const name of definition.migrate?.drop ?? []) {
    if (seen.has(name)) problems.push(`migrate.drop names "${name}", which is still a field`);
  }
  return problems;
}
