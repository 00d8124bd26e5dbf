/**
 * @module
 * `defineCrud`: the seed's BaseApp as a declaration. A list-shaped app names
 * its fields, which boolean the checkbox toggles and whether records belong
 * to the current profile; the engine derives the table, the routes, the
 * rendering and what the LLM is told.
 */

import type { Child } from "hono/jsx";
import type { PluginBase } from "../plugin.ts";

/** A field's type. */
export type CrudFieldType = "text" | "int" | "bool";

/** One field of a CRUD app's records. */
export interface CrudField {
  name: string;
  label?: string;
  type: CrudFieldType;
  /** Defaults to true for text, false otherwise. */
  required?: boolean;
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
  /** Records to insert when the table is first created. */
  seed?: Record<string, string | number | boolean>[];
  /** The SQL table; the slug (with `_` for `-`) when omitted. */
  table?: string;
  /** Whether the chat assistant may list and change this app's records (default true). */
  assistant?: boolean;
  /**
   * This app holds the profiles: rows get a "Use" button that switches the
   * current profile, and deleting one asks before deleting its records.
   */
  profiles?: boolean;
  /**
   * Escape hatch for a custom row: what a record shows after its title
   * (instead of "field: value" for the other fields). Pure; escape nothing
   * yourself, JSX does.
   */
  details?: (record: Record<string, unknown>) => Child;
}

/** Declare a CRUD app. */
export function defineCrud(definition: Omit<CrudDefinition, "kind">): CrudDefinition {
  return { kind: "crud", ...definition };
}

const RESERVED = ["id", "profile_id", "position"];
const NAME = /^[a-z][a-z0-9_]{0,39}$/;

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
    if (RESERVED.includes(field.name)) problems.push(`field name "${field.name}" is reserved`);
    if (seen.has(field.name)) problems.push(`duplicate field "${field.name}"`);
    if (!["text", "int", "bool"].includes(field.type)) {
      problems.push(`field "${field.name}" has unknown type "${field.type}"`);
    }
    seen.add(field.name);
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
  return problems;
}

/** The field a row shows as its title: the first text field. */
export function titleField(definition: CrudDefinition): string {
  return definition.fields.find((f) => f.type === "text")!.name;
}
