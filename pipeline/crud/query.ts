/**
 * @module
 * What a list shows — the words searched for, the filters, the order — as
 * a typed value read from the URL's query string and written back to it, so
 * a reload or a shared link keeps the place. Pure: unknown or malformed
 * parameters are dropped, never an error.
 *
 * The URL speaks the fields' language: `?q=milk&done=no&priority=high&due.from=2026-01-01&sort=-due`.
 * `q` and `sort` are reserved; a field may not be called either.
 *
 * @example
 * ```ts
 * import { defineCrud } from "./define.ts";
 * import { parseQuery, queryString } from "./query.ts";
 * const tasks = defineCrud({
 *   name: "tasks", title: "Tasks", description: "",
 *   fields: [{ name: "name", type: "text" }, { name: "done", type: "bool" }],
 * });
 * const query = parseQuery(tasks, new URLSearchParams("q=+milk+&done=no&junk=1"));
 * if (queryString(tasks, query) !== "q=milk&done=no") throw new Error("not canonical");
 * ```
 */

import { type CrudDefinition, type CrudField, isSearchable } from "./define.ts";
import { isDate } from "./values.ts";

/** Names a field may not have: they carry the search and the order. */
export const RESERVED_PARAMS = ["q", "sort"];
/** The longest search accepted. */
export const MAX_SEARCH = 200;

/** One filter on a field. */
export type Filter =
  | { field: string; kind: "bool"; value: boolean }
  | { field: string; kind: "in"; values: string[] }
  | { field: string; kind: "range"; from?: string; to?: string }
  | { field: string; kind: "tags"; values: string[] };

/** What a list shows. */
export interface ListQuery {
  /** The words searched for, trimmed; "" for none. */
  q: string;
  filters: Filter[];
  /** A column to order by; undefined keeps the app's own order (manual, or oldest first). */
  sort?: { field: string; desc: boolean };
}

/** The query that shows everything in the app's own order. */
export const EVERYTHING: ListQuery = { q: "", filters: [] };

/** Fields a list can be filtered by, and how. */
export function filterable(definition: CrudDefinition): CrudField[] {
  return definition.fields.filter((f) => ["bool", "select", "date", "tags"].includes(f.type));
}

/** Fields a list can be ordered by. */
export function sortable(definition: CrudDefinition): CrudField[] {
  return definition.fields.filter((f) => f.type !== "tags" && f.type !== "textarea");
}

/** Whether the app has fields search looks into. */
export function searchable(definition: CrudDefinition): boolean {
  return definition.fields.some(isSearchable);
}

const YES = ["yes", "1", "true", "on"];
const NO = ["no", "0", "false", "off"];

/** Read a list query from URL parameters; anything unknown or malformed is left out. */
export function parseQuery(definition: CrudDefinition, params: URLSearchParams): ListQuery {
  const q = searchable(definition)
    ? (params.get("q") ?? "").replace(/\s+/g, " ").trim().slice(0, MAX_SEARCH)
    : "";
  const filters: Filter[] = [];
  for (const field of filterable(definition)) {
    const name = field.name;
    if (field.type === "bool") {
      const raw = (params.get(name) ?? "").toLowerCase();
      if (YES.includes(raw)) filters.push({ field: name, kind: "bool", value: true });
      else if (NO.includes(raw)) filters.push({ field: name, kind: "bool", value: false });
    } else if (field.type === "select") {
      const options = field.options ?? [];
      const values = [...new Set(params.getAll(name))].filter((v) => options.includes(v));
      if (values.length) filters.push({ field: name, kind: "in", values });
    } else if (field.type === "date") {
      const from = params.get(`${name}.from`) ?? "";
      const to = params.get(`${name}.to`) ?? "";
      const range: Filter = { field: name, kind: "range" };
      if (isDate(from)) range.from = from;
      if (isDate(to)) range.to = to;
      if (range.from || range.to) filters.push(range);
    } else if (field.type === "tags") {
      const values = [...new Set(params.getAll(name).map((v) => v.trim()).filter(Boolean))]
        .slice(0, 5);
      if (values.length) filters.push({ field: name, kind: "tags", values });
    }
  }
  const rawSort = params.get("sort") ?? "";
  const desc = rawSort.startsWith("-");
  const column = desc ? rawSort.slice(1) : rawSort;
  const sort = sortable(definition).some((f) => f.name === column)
    ? { field: column, desc }
    : undefined;
  return { q, filters, ...(sort ? { sort } : {}) };
}

/** The canonical query string of `query` (no leading "?"); "" for everything in the app's order. */
export function queryString(definition: CrudDefinition, query: ListQuery): string {
  const params = new URLSearchParams();
  if (query.q) params.set("q", query.q);
  for (const field of definition.fields) {
    const filter = query.filters.find((f) => f.field === field.name);
    if (!filter) continue;
    if (filter.kind === "bool") params.set(field.name, filter.value ? "yes" : "no");
    else if (filter.kind === "in" || filter.kind === "tags") {
      for (const value of filter.values) params.append(field.name, value);
    } else {
      if (filter.from) params.set(`${field.name}.from`, filter.from);
      if (filter.to) params.set(`${field.name}.to`, filter.to);
    }
  }
  if (query.sort) params.set("sort", `${query.sort.desc ? "-" : ""}${query.sort.field}`);
  return params.toString();
}

/** Whether `query` narrows the list (a search or a filter). */
export function isNarrowed(query: ListQuery): boolean {
  return query.q !== "" || query.filters.length > 0;
}

/** Whether rows may be moved by hand: the app keeps a manual order and no column order is chosen. */
export function isManualOrder(definition: CrudDefinition, query: ListQuery): boolean {
  return definition.sort === true && !query.sort;
}

/**
 * The search as an FTS5 expression: each word must start a word of a text
 * field (`"mil"*` finds "milk"). Every word is quoted, so nothing a person
 * types is read as FTS syntax.
 */
export function matchExpression(q: string): string {
  return q.split(" ").filter((word) => /[\p{L}\p{N}]/u.test(word)).slice(0, 12)
    .map((word) => `"${word.replaceAll('"', '""')}"*`).join(" AND ");
}
