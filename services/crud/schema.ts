/**
 * @module
 * A CRUD app's table follows its definition. At start-up the stored table is
 * compared with the fields (`PRAGMA table_info`, plus the field types last
 * applied, kept in the store): new fields become columns, a field made
 * optional loses `NOT NULL` (a table rebuild, in the same transaction), and
 * changes that would lose data — a changed type, a removed field that still
 * holds values — stop start-up with a message naming the plugin file and
 * what to do. The rule for plugin authors: add freely; retype or remove
 * with a migration (`migrate.drop`).
 */

import { type Db, transaction } from "../../lib/db.ts";
import type { Store } from "../../lib/store.ts";
import { baseType, SQL_TYPES } from "../../lib/table_values.ts";
import {
  type ColumnSpec,
  columnsSql,
  type ColumnType,
  type Schema,
  sqlLiteral,
  type StoredColumn,
  storedColumns,
} from "../../lib/table.ts";
import { PluginError } from "../../pipeline/base.ts";
import {
  type CrudDefinition,
  type CrudField,
  type CrudFieldType,
  defaultOf,
  isRequired,
  SYSTEM_COLUMNS,
  tableOf,
} from "../../pipeline/crud/define.ts";
import type { LoadedPlugin } from "../../pipeline/plugin.ts";

/** The table schema a CRUD definition asks for. */
export function schemaOf(definition: CrudDefinition): Schema {
  const schema: Schema = { id: "int" };
  for (const field of definition.fields) schema[field.name] = columnOf(field);
  if (definition.sort) schema.position = "int";
  if (definition.scope === "profile") schema.profile_id = "int";
  return schema;
}

/** How each field type is stored (the one place this mapping lives). */
const COLUMN_OF: Record<CrudFieldType, ColumnType> = {
  text: "text",
  textarea: "text",
  int: "int",
  number: "real",
  bool: "bool",
  date: "text",
  select: "text",
  url: "text",
  tags: "json",
};

function columnOf(field: CrudField): ColumnSpec {
  if (field.type === "bool") return "bool";
  const type = COLUMN_OF[field.type];
  return isRequired(field) ? type : `${type}?`;
}

/**
 * Type changes that keep every stored value valid, so they need no
 * migration: from → the types it may become.
 */
const WIDENINGS: Partial<Record<CrudFieldType | "int/bool", CrudFieldType[]>> = {
  text: ["textarea"],
  int: ["number"],
  // A column written before types were recorded: an INTEGER held an int or a bool.
  "int/bool": ["int", "bool", "number"],
};

/** Whether a field stored as `before` may now be `after` without a migration. */
export function compatible(before: CrudFieldType | "int/bool", after: CrudFieldType): boolean {
  return before === after || (WIDENINGS[before] ?? []).includes(after);
}

/** What evolving a table did. */
export interface Evolution {
  /** The table did not exist and was created: the only time `seed` records are inserted. */
  created: boolean;
  /** One line per change, for the log. */
  changes: string[];
}

/** Options for {@linkcode evolveTable}. */
export interface EvolveOptions {
  store: Store;
  /** The profile new `profile_id` columns are filled with when an app becomes scoped. */
  profileId(): number | null;
}

/** The store key of the field types last applied to `table`. */
function typesKey(table: string): string {
  return `schema.${table}`;
}

/**
 * Bring the stored table of `plugin` in line with its definition, in one
 * transaction; throws {@linkcode PluginError} (naming the file) for changes
 * that need a migration, leaving the table untouched.
 */
export function evolveTable(
  db: Db,
  plugin: LoadedPlugin<CrudDefinition>,
  options: EvolveOptions,
): Evolution {
  const definition = plugin.definition;
  const table = tableOf(plugin.slug, definition);
  const schema = schemaOf(definition);
  const fail = (problem: string): never => {
    throw new PluginError(`plugins/${plugin.file}: ${problem}`);
  };
  return transaction(db, () => {
    const stored = storedColumns(db, table);
    const types = Object.fromEntries(definition.fields.map((f) => [f.name, f.type]));
    if (stored.length === 0) {
      db.exec(`CREATE TABLE "${table}" ${columnsSql(schema, "id")}`);
      options.store.set(typesKey(table), types);
      return { created: true, changes: [`created table ${table}`] };
    }
    const changes: string[] = [];
    const byName = new Map(stored.map((c) => [c.name, c]));
    const applied = options.store.get<Record<string, CrudFieldType>>(typesKey(table), {});
    const rows = () =>
      Number(
        (db.prepare(`SELECT COUNT(*) AS n FROM "${table}"`).get() as {
          n: number;
        }).n,
      );
    const holding = (column: string) =>
      Number(
        (db.prepare(`SELECT COUNT(*) AS n FROM "${table}" WHERE "${column}" IS NOT NULL`).get() as {
          n: number;
        }).n,
      );
    let rebuild = false;

    for (const field of definition.fields) {
      const column = byName.get(field.name);
      if (!column) {
        const fallback = defaultOf(field);
        if (fallback === undefined && isRequired(field) && rows() > 0) {
          fail(
            `the new field "${field.name}" is required, but ${table} already holds ${rows()} ` +
              `records: give it a default (default: ...) or make it optional (required: false)`,
          );
        }
        const spec = columnOf(field);
        // SQLite fills existing rows with the DEFAULT; it cannot add NOT NULL without one.
        const notNull = fallback !== undefined && isRequired(field) || field.type === "bool";
        db.exec(
          `ALTER TABLE "${table}" ADD COLUMN "${field.name}" ${SQL_TYPES[baseType(spec)]}` +
            (fallback !== undefined
              ? `${notNull ? " NOT NULL" : ""} DEFAULT ${
                sqlLiteral(table, field.name, spec, fallback)
              }`
              : ""),
        );
        changes.push(`added ${table}.${field.name}`);
        continue;
      }
      const before = applied[field.name] ?? guessType(column);
      if (!compatible(before, field.type)) {
        fail(
          `the field "${field.name}" was stored as ${describe(before)} and is now ${
            describe(field.type)
          }; changing a field's type needs a migration: add a new field of the new type, ` +
            `move the values over, and list "${field.name}" in migrate: { drop: [...] }`,
        );
      }
      if (column.notNull && !isRequired(field) && field.type !== "bool") {
        rebuild = true;
        changes.push(`${table}.${field.name} may now be empty`);
      }
    }

    const wanted = new Set([...Object.keys(schema)]);
    const dropping = new Set(definition.migrate?.drop ?? []);
    for (const column of stored) {
      if (wanted.has(column.name)) continue;
      if (SYSTEM_COLUMNS.includes(column.name)) continue;
      const held = holding(column.name);
      if (held > 0 && !dropping.has(column.name)) {
        fail(
          `the field "${column.name}" was removed, but ${held} records of ${table} still hold a ` +
            `value: put the field back, or list it in migrate: { drop: ["${column.name}"] } ` +
            `to delete those values`,
        );
      }
      rebuild = true;
      changes.push(`dropped ${table}.${column.name}${held ? ` (${held} values)` : ""}`);
    }

    for (const [column, fill] of [["position", "id"], ["profile_id", null]] as const) {
      if (!(column in schema) || byName.has(column)) continue;
      const value = fill ?? String(options.profileId() ?? 0);
      db.exec(`ALTER TABLE "${table}" ADD COLUMN "${column}" INTEGER NOT NULL DEFAULT 0`);
      db.exec(`UPDATE "${table}" SET "${column}" = ${value}`);
      changes.push(`added ${table}.${column}`);
    }

    if (rebuild) rebuildTable(db, table, schema, storedColumns(db, table));
    options.store.set(typesKey(table), types);
    return { created: false, changes };
  });
}

/** Guess a field type from a table written before types were recorded (text, int and bool only). */
function guessType(column: StoredColumn): CrudFieldType | "int/bool" {
  return column.type === "TEXT" ? "text" : column.type === "REAL" ? "number" : "int/bool";
}

const DESCRIPTIONS: Record<CrudFieldType | "int/bool", string> = {
  "int/bool": "a number",
  int: "a whole number",
  number: "a number",
  text: "a text",
  textarea: "a textarea (several lines of text)",
  bool: "a bool",
  date: "a date",
  select: "a select",
  url: "a url",
  tags: "a list of tags",
};

function describe(type: CrudFieldType | "int/bool"): string {
  return DESCRIPTIONS[type];
}

/**
 * Recreate `table` with `schema`'s columns and copy the rows over: how
 * SQLite relaxes `NOT NULL` or drops a column. Runs inside the caller's
 * transaction; indexes are recreated by the table layer afterwards.
 */
function rebuildTable(db: Db, table: string, schema: Schema, stored: StoredColumn[]): void {
  const keep = Object.keys(schema).filter((c) => stored.some((s) => s.name === c));
  const columns = keep.map((c) => `"${c}"`).join(", ");
  db.exec(`DROP TABLE IF EXISTS "${table}__rebuild"`);
  db.exec(`CREATE TABLE "${table}__rebuild" ${columnsSql(schema, "id")}`);
  db.exec(`INSERT INTO "${table}__rebuild" (${columns}) SELECT ${columns} FROM "${table}"`);
  db.exec(`DROP TABLE "${table}"`);
  db.exec(`ALTER TABLE "${table}__rebuild" RENAME TO "${table}"`);
}
