/**
 * @module
 * The MiniDataAPI idea in TypeScript: a table is declared from a plain schema
 * object and gets typed `insert`, `update`, `upsert`, `delete`, `get`, `list`.
 * No ORM: names are checked against the schema and quoted, values are always
 * bound parameters, and every bad input is an error naming table and column.
 *
 * @example
 * ```ts
 * import { openDatabase } from "./db.ts";
 * import { defineTable } from "./table.ts";
 * const db = openDatabase(":memory:");
 * const tasks = defineTable(db, "tasks", { id: "int", name: "text", done: "bool" }, { pk: "id" });
 * const task = tasks.insert({ name: "Buy milk", done: false });
 * tasks.update(task.id, { done: true });
 * ```
 */

import type { StatementSync } from "node:sqlite";
import type { Db } from "./db.ts";
import type { Logger } from "./log.ts";
import {
  baseType,
  checkName,
  type ColumnSpec,
  fromSql,
  type Insert,
  type Key,
  type Row,
  type Schema,
  SQL_TYPES,
  toSql,
} from "./table_values.ts";
import { NotFoundError, SchemaError, ValidationError } from "./errors.ts";

export { checkName } from "./table_values.ts";
export { NotFoundError, SchemaError, ValidationError } from "./errors.ts";
export type { ColumnSpec, ColumnType, Insert, Key, Row, Schema } from "./table_values.ts";

/** Options for {@linkcode defineTable}. */
export interface TableOptions<S extends Schema> {
  /** The primary key column; an `int` key is assigned by SQLite when omitted. */
  pk: keyof S & string;
  /** Values for required columns an insert leaves out (and for columns added later). */
  defaults?: Partial<Row<S>>;
  /** Receives one debug line per change. */
  log?: Logger;
  /** Indexes to create, each a list of columns. */
  indexes?: (keyof S & string)[][];
}

/** Options for `list`. */
export interface ListOptions<S extends Schema> {
  /** Equality filters; `null` matches NULL. */
  where?: Partial<Row<S>>;
  /** Column names, `-name` for descending. */
  order?: string | string[];
  limit?: number;
  offset?: number;
}

/** A typed table. */
export interface Table<S extends Schema> {
  readonly name: string;
  readonly schema: S;
  readonly pk: keyof S & string;
  insert(values: Insert<S>): Row<S>;
  update(key: Key, changes: Partial<Row<S>>): Row<S>;
  upsert(values: Insert<S>): Row<S>;
  delete(key: Key): void;
  get(key: Key): Row<S>;
  find(key: Key): Row<S> | undefined;
  list(options?: ListOptions<S>): Row<S>[];
  count(where?: Partial<Row<S>>): number;
  /** A typed row from a raw one that a caller's own `SELECT *` returned. */
  decode(raw: Record<string, unknown>): Row<S>;
}

/** Declare `name` with `schema`: created if missing, grown when columns are added. */
export function defineTable<S extends Schema>(
  db: Db,
  name: string,
  schema: S,
  options: TableOptions<S>,
): Table<S> {
  const quoted = checkName(name, name, "table");
  const columns = Object.keys(schema) as (keyof S & string)[];
  for (const column of columns) checkName(name, column);
  const pk = options.pk;
  if (!(pk in schema)) {
    throw new SchemaError(name, pk, `${name}: primary key "${pk}" is not a column`);
  }
  const pkSpec = schema[pk]!;
  const autoKey = baseType(pkSpec) === "int";
  const log = options.log;
  const defaults = options.defaults ?? {};

  db.exec(`CREATE TABLE IF NOT EXISTS ${quoted} ${columnsSql(schema, pk)}`);
  growTable(db, name, schema, defaults);
  for (const index of options.indexes ?? []) {
    const cols = index.map((c) => checkName(name, c));
    db.exec(
      `CREATE INDEX IF NOT EXISTS "${name}_${index.join("_")}" ON ${quoted} (${cols.join(", ")})`,
    );
  }

  const statements = new Map<string, StatementSync>();
  function prepare(sql: string): StatementSync {
    let statement = statements.get(sql);
    if (!statement) statements.set(sql, statement = db.prepare(sql));
    return statement;
  }

  function known(column: string): ColumnSpec {
    const spec = schema[column];
    if (spec === undefined || !Object.hasOwn(schema, column)) {
      throw new ValidationError(name, column, `${name}: unknown column ${JSON.stringify(column)}`);
    }
    return spec;
  }

  function decode(raw: Record<string, unknown> | undefined): Row<S> | undefined {
    if (!raw) return undefined;
    const row: Record<string, unknown> = {};
    for (const column of columns) row[column] = fromSql(schema[column]!, raw[column]);
    return row as Row<S>;
  }

  function keyValue(key: Key): string | number {
    return toSql(name, pk, pkSpec, key) as string | number;
  }

  function find(key: Key): Row<S> | undefined {
    const raw = prepare(`SELECT * FROM ${quoted} WHERE "${pk}" = ?`).get(keyValue(key));
    return decode(raw as Record<string, unknown> | undefined);
  }

  function get(key: Key): Row<S> {
    const row = find(key);
    if (!row) throw new NotFoundError(name, key);
    return row;
  }

  function encodeAll(values: Insert<S>): { names: string[]; params: (string | number | null)[] } {
    for (const column of Object.keys(values)) known(column);
    const names: string[] = [];
    const params: (string | number | null)[] = [];
    for (const column of columns) {
      let value = (values as Record<string, unknown>)[column];
      if (value === undefined) value = (defaults as Record<string, unknown>)[column];
      if (value === undefined && (column === pk && autoKey || schema[column]!.endsWith("?"))) {
        continue;
      }
      names.push(column);
      params.push(toSql(name, column, schema[column]!, value));
    }
    return { names, params };
  }

  function debug(operation: string, key: unknown, data?: unknown): void {
    if (log?.enabled("debug")) log.debug(`${operation} ${name} ${JSON.stringify(key)}`, data);
  }

  function list(opts: ListOptions<S> = {}): Row<S>[] {
    const { clause, params } = whereClause(opts.where);
    let sql = `SELECT * FROM ${quoted}${clause}`;
    const order = typeof opts.order === "string" ? [opts.order] : opts.order ?? [];
    if (order.length) {
      sql += " ORDER BY " + order.map((o) => {
        const desc = o.startsWith("-");
        const column = desc ? o.slice(1) : o;
        known(column);
        return `"${column}"${desc ? " DESC" : ""}`;
      }).join(", ");
    }
    for (const [word, n] of [["LIMIT", opts.limit], ["OFFSET", opts.offset]] as const) {
      if (n === undefined) continue;
      if (!Number.isSafeInteger(n) || n < 0) {
        throw new ValidationError(
          name,
          undefined,
          `${name}: ${word.toLowerCase()} must be a whole number ≥ 0`,
        );
      }
      if (word === "OFFSET" && opts.limit === undefined) sql += " LIMIT -1";
      sql += ` ${word} ${n}`;
    }
    return prepare(sql).all(...params).map((r) => decode(r as Record<string, unknown>)!);
  }

  function whereClause(
    where: Partial<Row<S>> | undefined,
  ): { clause: string; params: (string | number)[] } {
    const parts: string[] = [];
    const params: (string | number)[] = [];
    for (const [column, value] of Object.entries(where ?? {})) {
      const spec = known(column);
      if (value === null) {
        parts.push(`"${column}" IS NULL`);
        continue;
      }
      parts.push(`"${column}" = ?`);
      params.push(toSql(name, column, spec, value) as string | number);
    }
    return { clause: parts.length ? ` WHERE ${parts.join(" AND ")}` : "", params };
  }

  return {
    name,
    schema,
    pk,
    find,
    get,
    list,
    decode: (raw) => decode(raw)!,
    insert(values) {
      const { names, params } = encodeAll(values);
      const sql = `INSERT INTO ${quoted} (${names.map((n) => `"${n}"`).join(", ")}) VALUES (${
        names.map(() => "?").join(", ")
      })`;
      const result = prepare(names.length ? sql : `INSERT INTO ${quoted} DEFAULT VALUES`).run(
        ...params,
      );
      const key = (values as Record<string, unknown>)[pk] ??
        (autoKey ? Number(result.lastInsertRowid) : undefined);
      const row = get(key as Key);
      debug("insert", key, row);
      return row;
    },
    update(key, changes) {
      const before = get(key);
      const entries = Object.entries(changes).filter(([, v]) => v !== undefined);
      for (const [column] of entries) known(column);
      if (entries.some(([column, value]) => column === pk && value !== before[pk])) {
        throw new ValidationError(name, pk, `${name}: the primary key "${pk}" cannot change`);
      }
      const sets = entries.filter(([column]) => column !== pk);
      if (sets.length === 0) return before;
      const params = sets.map(([column, value]) => toSql(name, column, schema[column]!, value));
      prepare(
        `UPDATE ${quoted} SET ${sets.map(([c]) => `"${c}" = ?`).join(", ")} WHERE "${pk}" = ?`,
      )
        .run(...params, keyValue(key));
      const after = get(key);
      debug("update", key, { before, after });
      return after;
    },
    upsert(values) {
      const key = (values as Record<string, unknown>)[pk];
      if (key === undefined || key === null) return this.insert(values);
      const existing = find(key as Key);
      if (!existing) return this.insert(values);
      return this.update(key as Key, values as Partial<Row<S>>);
    },
    delete(key) {
      const before = get(key);
      prepare(`DELETE FROM ${quoted} WHERE "${pk}" = ?`).run(keyValue(key));
      debug("delete", key, { before });
    },
    count(where) {
      const { clause, params } = whereClause(where);
      const row = prepare(`SELECT COUNT(*) AS n FROM ${quoted}${clause}`).get(...params) as {
        n: number;
      };
      return Number(row.n);
    },
  };
}

/** The column list of a `CREATE TABLE` for `schema` with primary key `pk`. */
export function columnsSql<S extends Schema>(schema: S, pk: keyof S & string): string {
  const column = (name: string): string => {
    const spec = schema[name]!;
    if (name === pk) return `"${name}" ${SQL_TYPES[baseType(spec)]} PRIMARY KEY NOT NULL`;
    return `"${name}" ${SQL_TYPES[baseType(spec)]}${spec.endsWith("?") ? "" : " NOT NULL"}`;
  };
  return `(${Object.keys(schema).map(column).join(", ")})`;
}

/** A stored column as `PRAGMA table_info` describes it. */
export interface StoredColumn {
  name: string;
  /** The declared SQL type: TEXT, INTEGER, REAL. */
  type: string;
  notNull: boolean;
}

/** The stored columns of table `name`, or an empty list when it does not exist. */
export function storedColumns(db: Db, name: string): StoredColumn[] {
  checkName(name, name, "table");
  return (db.prepare(`PRAGMA table_info("${name}")`).all() as {
    name: string;
    type: string;
    notnull: number;
  }[]).map((c) => ({ name: c.name, type: c.type.toUpperCase(), notNull: c.notnull === 1 }));
}

/** The SQL literal of `value` for column `column` of `spec` (for DEFAULT clauses). */
export function sqlLiteral(
  table: string,
  column: string,
  spec: ColumnSpec,
  value: unknown,
): string {
  const literal = toSql(table, column, spec, value);
  if (literal === null) return "NULL";
  return typeof literal === "number" ? String(literal) : `'${literal.replaceAll("'", "''")}'`;
}

/** Add the schema's columns the stored table lacks. */
function growTable<S extends Schema>(
  db: Db,
  name: string,
  schema: S,
  defaults: Partial<Row<S>>,
): void {
  const existing = new Set(storedColumns(db, name).map((c) => c.name));
  for (const [column, spec] of Object.entries(schema)) {
    if (existing.has(column)) continue;
    const fallback = (defaults as Record<string, unknown>)[column];
    if (!spec.endsWith("?") && fallback === undefined) {
      throw new SchemaError(
        name,
        column,
        `${name}: new required column "${column}" needs a default`,
      );
    }
    const type = SQL_TYPES[baseType(spec)];
    if (fallback === undefined) {
      db.exec(`ALTER TABLE "${name}" ADD COLUMN "${column}" ${type}`);
    } else {
      db.exec(
        `ALTER TABLE "${name}" ADD COLUMN "${column}" ${type} NOT NULL DEFAULT ${
          sqlLiteral(name, column, spec, fallback)
        }`,
      );
    }
  }
}
