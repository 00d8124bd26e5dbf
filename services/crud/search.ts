/**
 * @module
 * Finding records: the full-text index over an app's text fields, kept in
 * step by triggers, and the one SQL statement a list query becomes (search,
 * filters, order, scope, page).
 *
 * The index is an SQLite FTS5 table with external content (`<table>_search`,
 * reading its text from the app's table, so nothing is stored twice) and a
 * prefix index, so "mil" finds "Buy milk" as a person types. Triggers keep
 * it in step with every insert, delete and change of an indexed column, in
 * the same transaction as the write. At start-up the indexed columns are
 * compared with the definition (kept in the store under `search.<table>`);
 * a change, or a table rebuilt by the schema evolution, rebuilds the index.
 */

import { type Db, transaction } from "../../lib/db.ts";
import type { Store } from "../../lib/store.ts";
import { type CrudDefinition, isSearchable } from "../../pipeline/crud/define.ts";
import { type ListQuery, matchExpression } from "../../pipeline/crud/query.ts";

/** Bump when the index's shape (tokenizer, prefixes) changes: every index is rebuilt. */
const INDEX_VERSION = 1;

/** The index table of `table`. */
export function indexOf(table: string): string {
  return `${table}_search`;
}

function exists(db: Db, type: "table" | "trigger", name: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = ? AND name = ?").get(type, name) !==
    undefined;
}

/**
 * Bring the search index of `table` in line with `definition`'s text fields;
 * returns what it did, for the log. Apps without text fields have no index.
 */
export function ensureSearchIndex(
  db: Db,
  table: string,
  definition: CrudDefinition,
  store: Store,
): string[] {
  const columns = definition.fields.filter(isSearchable).map((f) => f.name);
  const index = indexOf(table);
  const key = `search.${table}`;
  const wanted = { version: INDEX_VERSION, columns };
  const stored = store.get<typeof wanted>(key);
  const triggers = ["ai", "ad", "au"].map((t) => `${index}_${t}`);
  return transaction(db, () => {
    const same = JSON.stringify(stored) === JSON.stringify(wanted) && exists(db, "table", index);
    if (same && triggers.every((t) => exists(db, "trigger", t))) return [];
    for (const trigger of triggers) db.exec(`DROP TRIGGER IF EXISTS "${trigger}"`);
    if (!same) db.exec(`DROP TABLE IF EXISTS "${index}"`);
    if (columns.length === 0) {
      store.delete(key);
      return stored ? [`dropped search index ${index}`] : [];
    }
    const list = columns.map((c) => `"${c}"`).join(", ");
    const news = columns.map((c) => `new."${c}"`).join(", ");
    const olds = columns.map((c) => `old."${c}"`).join(", ");
    if (!same) {
      db.exec(
        `CREATE VIRTUAL TABLE "${index}" USING fts5(${list}, content='${table}', ` +
          `content_rowid='id', tokenize='unicode61 remove_diacritics 2', prefix='2 3')`,
      );
    }
    db.exec(
      `CREATE TRIGGER "${index}_ai" AFTER INSERT ON "${table}" BEGIN ` +
        `INSERT INTO "${index}" (rowid, ${list}) VALUES (new.id, ${news}); END`,
    );
    db.exec(
      `CREATE TRIGGER "${index}_ad" AFTER DELETE ON "${table}" BEGIN ` +
        `INSERT INTO "${index}" ("${index}", rowid, ${list}) VALUES ('delete', old.id, ${olds}); END`,
    );
    db.exec(
      `CREATE TRIGGER "${index}_au" AFTER UPDATE OF ${list} ON "${table}" BEGIN ` +
        `INSERT INTO "${index}" ("${index}", rowid, ${list}) VALUES ('delete', old.id, ${olds}); ` +
        `INSERT INTO "${index}" (rowid, ${list}) VALUES (new.id, ${news}); END`,
    );
    db.exec(`INSERT INTO "${index}" ("${index}") VALUES ('rebuild')`);
    store.set(key, wanted);
    return [`${same ? "rebuilt" : "built"} search index ${index} over ${columns.join(", ")}`];
  });
}

/** A WHERE clause and its parameters. */
export interface Where {
  sql: string;
  params: (string | number)[];
}

/**
 * The WHERE clause of `query` on `table` (aliased `t`), scoped by `scope`
 * (column → value), or null when the search can match nothing.
 */
export function whereOf(
  table: string,
  definition: CrudDefinition,
  query: ListQuery,
  scope: Record<string, number>,
): Where | null {
  const parts: string[] = [];
  const params: (string | number)[] = [];
  for (const [column, value] of Object.entries(scope)) {
    parts.push(`t."${column}" = ?`);
    params.push(value);
  }
  if (query.q) {
    const expression = matchExpression(query.q);
    if (!expression || !definition.fields.some(isSearchable)) return null;
    const index = indexOf(table);
    parts.push(`t.id IN (SELECT rowid FROM "${index}" WHERE "${index}" MATCH ?)`);
    params.push(expression);
  }
  for (const filter of query.filters) {
    const column = `t."${filter.field}"`;
    if (filter.kind === "bool") {
      parts.push(`${column} = ?`);
      params.push(filter.value ? 1 : 0);
    } else if (filter.kind === "in") {
      parts.push(`${column} IN (${filter.values.map(() => "?").join(", ")})`);
      params.push(...filter.values);
    } else if (filter.kind === "range") {
      if (filter.from) {
        parts.push(`${column} >= ?`);
        params.push(filter.from);
      }
      if (filter.to) {
        parts.push(`${column} <= ?`);
        params.push(filter.to);
      }
    } else {
      // Each tag must be in the record's list: compared as JSON values, never with LIKE.
      for (const tag of filter.values) {
        parts.push(
          `EXISTS (SELECT 1 FROM json_each(${column}) WHERE lower(value) = lower(?))`,
        );
        params.push(tag);
      }
    }
  }
  return { sql: parts.length ? ` WHERE ${parts.join(" AND ")}` : "", params };
}

/** The ORDER BY of `query`: a chosen column (empty values last), else the app's own order. */
export function orderOf(definition: CrudDefinition, query: ListQuery): string {
  const own = definition.sort ? `t."position", t.id` : "t.id";
  if (!query.sort) return ` ORDER BY ${own}`;
  const field = definition.fields.find((f) => f.name === query.sort!.field);
  if (!field) return ` ORDER BY ${own}`;
  const column = `t."${field.name}"`;
  const collate = ["text", "select", "url"].includes(field.type) ? " COLLATE NOCASE" : "";
  const dir = query.sort.desc ? " DESC" : "";
  return ` ORDER BY (${column} IS NULL), ${column}${collate}${dir}, ${own}`;
}
