/**
 * @module
 * Checking a CRUD definition at load time, so a broken plugin stops start-up
 * with its file named instead of failing on the first request.
 */

import { type CrudDefinition, type CrudField, FIELD_TYPES, SYSTEM_COLUMNS } from "./define.ts";
import { RESERVED_PARAMS } from "./query.ts";
import { parseValue } from "./values.ts";

const NAME = /^[a-z][a-z0-9_]{0,39}$/;

/** Problems with one field's own settings. */
function fieldProblems(field: CrudField): string[] {
  const problems: string[] = [];
  const where = `field "${field.name}"`;
  if (field.type === "select") {
    const options = field.options;
    if (!Array.isArray(options) || options.length === 0) {
      problems.push(`${where} is a select and needs options`);
    } else if (
      options.some((o) => typeof o !== "string" || o.trim() === "" || o !== o.trim()) ||
      new Set(options.map((o) => String(o).toLowerCase())).size !== options.length
    ) {
      problems.push(`${where}: options must be distinct, non-empty, trimmed text`);
    }
  } else if (field.options !== undefined) {
    problems.push(`${where}: only select fields take options`);
  }
  for (const bound of ["min", "max"] as const) {
    const value = field[bound];
    if (value === undefined) continue;
    if (field.type !== "int" && field.type !== "number") {
      problems.push(`${where}: only int and number fields take ${bound}`);
    } else if (!Number.isFinite(value)) {
      problems.push(`${where}: ${bound} must be a number`);
    }
  }
  if (field.default !== undefined) {
    let fits = false;
    try {
      const parsed = parseValue("definition", field, field.default);
      fits = JSON.stringify(parsed) === JSON.stringify(field.default);
    } catch { /* reported below */ }
    if (!fits) {
      problems.push(
        `${where}: its default ${JSON.stringify(field.default)} is not a valid ${field.type}`,
      );
    }
  }
  return problems;
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
    if (SYSTEM_COLUMNS.includes(field.name) || RESERVED_PARAMS.includes(field.name)) {
      problems.push(`field name "${field.name}" is reserved`);
    }
    if (seen.has(field.name)) problems.push(`duplicate field "${field.name}"`);
    seen.add(field.name);
    if (!FIELD_TYPES.includes(field.type)) {
      problems.push(
        `field "${field.name}" has unknown type "${field.type}" (types: ${FIELD_TYPES.join(", ")})`,
      );
    } else {
      problems.push(...fieldProblems(field));
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
  if (definition.restorable && !definition.seed?.length) {
    problems.push("restorable needs seed records to restore");
  }
  return problems;
}
