/**
 * @module
 * The table layer's vocabulary: column types, the row types they map to, and
 * the conversion of values to and from SQLite with the checks that give each
 * bad input a message naming its table and column.
 */

import { SchemaError, ValidationError } from "./errors.ts";

/** Column types. */
export type ColumnType = "text" | "int" | "real" | "bool" | "json";
/** A column: its type, with a trailing `?` when it may be null or omitted. */
export type ColumnSpec = ColumnType | `${ColumnType}?`;
/** A table's columns. */
export type Schema = Record<string, ColumnSpec>;

type Base<T extends ColumnSpec> = T extends "text" | "text?" ? string
  : T extends "int" | "int?" | "real" | "real?" ? number
  : T extends "bool" | "bool?" ? boolean
  : unknown;
/** A stored row of schema `S`. */
export type Row<S extends Schema> = {
  [K in keyof S]: S[K] extends `${string}?` ? Base<S[K]> | null : Base<S[K]>;
};
/** Values accepted by `insert`: optional columns and an int primary key may be left out. */
export type Insert<S extends Schema> = Partial<Row<S>>;
/** A primary key value. */
export type Key = string | number;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const SQL_TYPES: Record<ColumnType, string> = {
  text: "TEXT",
  int: "INTEGER",
  real: "REAL",
  bool: "INTEGER",
  json: "TEXT",
};

/** The type of a column spec, without its "?". */
export function baseType(spec: ColumnSpec): ColumnType {
  return spec.replace("?", "") as ColumnType;
}

/** Check a table or column name; SQL-significant characters never reach SQL. */
export function checkName(table: string, name: string, what = "column"): string {
  if (!NAME.test(name)) {
    throw new SchemaError(
      table,
      name,
      `${table}: bad ${what} name ${JSON.stringify(name)} (letters, digits and _ only)`,
    );
  }
  return `"${name}"`;
}

/** Convert a JS value to what SQLite stores for `spec`, or throw a {@linkcode ValidationError}. */
export function toSql(
  table: string,
  column: string,
  spec: ColumnSpec,
  value: unknown,
): string | number | null {
  if (value === null || value === undefined) {
    if (spec.endsWith("?")) return null;
    throw new ValidationError(table, column, `${table}.${column} is required`);
  }
  const type = baseType(spec);
  const bad = (want: string) =>
    new ValidationError(
      table,
      column,
      `${table}.${column} must be ${want}, got ${preview(value)}`,
    );
  switch (type) {
    case "text":
      if (typeof value !== "string") throw bad("text");
      return value;
    case "int":
      if (typeof value !== "number" || !Number.isSafeInteger(value)) throw bad("a whole number");
      return value;
    case "real":
      if (typeof value !== "number" || !Number.isFinite(value)) throw bad("a finite number");
      return value;
    case "bool":
      if (typeof value !== "boolean") throw bad("true or false");
      return value ? 1 : 0;
    case "json": {
      let text: string | undefined;
      try {
        text = JSON.stringify(value);
      } catch {
        throw bad("JSON-serialisable");
      }
      if (text === undefined) throw bad("JSON-serialisable");
      return text;
    }
  }
}

function preview(value: unknown): string {
  try {
    return (JSON.stringify(value) ?? String(value)).slice(0, 60);
  } catch {
    return typeof value;
  }
}

/** Convert what SQLite returned back to the JS value for `spec`. */
export function fromSql(spec: ColumnSpec, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  const type = baseType(spec);
  if (type === "bool") return value === 1 || value === 1n;
  if (type === "json") return JSON.parse(String(value));
  if (typeof value === "bigint") return Number(value);
  return value;
}
