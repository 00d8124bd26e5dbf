/**
 * @module
 * A CRUD app's records as CSV or JSON, and back: export writes the fields by
 * name (no ids: an import elsewhere makes new records); import reads either
 * format and checks every value with the same rules as a form, so a file
 * is either wholly valid or comes back with a report of every problem by
 * row and field. Pure: the service writes what this returns.
 *
 * CSV follows RFC 4180 (CRLF, quotes doubled) with a UTF-8 byte order mark
 * for spreadsheets. A text cell starting with `=`, `+`, `-`, `@`, a tab or a
 * carriage return (after any `'`) is written with one more leading `'` so a
 * spreadsheet does not run it as a formula; import removes that `'` again,
 * so every text survives the round trip.
 */

// @ts-types="npm:@types/papaparse@5.5.2"
import Papa from "papaparse";
import { ValidationError } from "../../lib/errors.ts";
import { type CrudDefinition, type CrudValue, fieldLabel } from "./define.ts";
import { parseValue } from "./values.ts";

/** The formats records travel in. */
export type Format = "csv" | "json";

/** At most this many records are read from one file. */
export const MAX_IMPORT = 10_000;

/** One problem found in a file. */
export interface Problem {
  /** The row as a spreadsheet numbers it (the CSV header is row 1), or the JSON record's number; 0 for the file. */
  row: number;
  /** The field, or "" for the whole row or file. */
  field: string;
  problem: string;
}

/** What reading a file found. */
export interface ImportResult {
  format: Format;
  /** Checked values, one object per record, ready for the service. */
  rows: Record<string, CrudValue | null>[];
  /** The fields the file gives values for, in the app's order. */
  fields: string[];
  problems: Problem[];
}

/** Columns an export of Cardflow may carry that an import ignores. */
const IGNORED = ["id", "position", "profile_id"];

/** Text a spreadsheet would run as a formula, after any quote marks already guarding it. */
const FORMULA = /^'*[=+\-@\t\r]/;

function cell(value: unknown): string | number | boolean {
  if (value === null || value === undefined) return "";
  if (typeof value === "number" || typeof value === "boolean") return value;
  const text = Array.isArray(value) ? value.join(", ") : String(value);
  return FORMULA.test(text) ? `'${text}` : text;
}

/** `records` as CSV text, one column per field, named as in the definition. */
export function toCsv(definition: CrudDefinition, records: Record<string, unknown>[]): string {
  const fields = definition.fields.map((f) => f.name);
  const data = records.map((r) => fields.map((name) => cell(r[name])));
  return "\uFEFF" + Papa.unparse({ fields, data }, { newline: "\r\n" });
}

/** `records` as a JSON array of objects holding the fields. */
export function toJson(definition: CrudDefinition, records: Record<string, unknown>[]): string {
  const fields = definition.fields.map((f) => f.name);
  return JSON.stringify(
    records.map((r) => Object.fromEntries(fields.map((name) => [name, r[name] ?? null]))),
    null,
    2,
  ) + "\n";
}

/** The format of `text`, from a file name when there is one, else from its first character. */
export function formatOf(text: string, fileName = ""): Format {
  if (/\.json$/i.test(fileName)) return "json";
  if (/\.csv$/i.test(fileName)) return "csv";
  return /^\uFEFF?\s*[[{]/.test(text) ? "json" : "csv";
}

/** Records and their row numbers from `text`, or the problems that stop it being read. */
function recordsOf(
  text: string,
  format: Format,
): { records: [number, Record<string, unknown>][]; problems: Problem[] } {
  if (format === "json") {
    let data: unknown;
    try {
      data = JSON.parse(text.replace(/^\uFEFF/, ""));
    } catch (error) {
      return {
        records: [],
        problems: [{ row: 0, field: "", problem: `not valid JSON: ${(error as Error).message}` }],
      };
    }
    const list = Array.isArray(data)
      ? data
      : (data && typeof data === "object" && Array.isArray((data as { records?: unknown }).records))
      ? (data as { records: unknown[] }).records
      : null;
    if (!list) {
      return {
        records: [],
        problems: [{ row: 0, field: "", problem: "a JSON import is a list of records" }],
      };
    }
    const problems: Problem[] = [];
    const records: [number, Record<string, unknown>][] = [];
    list.forEach((item, i) => {
      if (item && typeof item === "object" && !Array.isArray(item)) {
        records.push([i + 1, item as Record<string, unknown>]);
      } else problems.push({ row: i + 1, field: "", problem: "a record must be an object" });
    });
    return { records, problems };
  }
  const parsed = Papa.parse<Record<string, string>>(text.replace(/^\uFEFF/, ""), {
    header: true,
    skipEmptyLines: "greedy",
    transformHeader: (h) => h.trim(),
  });
  // One column has no delimiter to detect: that is no problem of the file's.
  const problems: Problem[] = parsed.errors.filter((e) => e.code !== "UndetectableDelimiter").map((
    e,
  ) => ({
    row: (e.row ?? -1) + 2,
    field: "",
    problem: e.message,
  }));
  const records = parsed.data.map((r, i): [number, Record<string, unknown>] => [
    i + 2,
    Object.fromEntries(
      Object.entries(r).map(([k, v]) => [k, typeof v === "string" ? unescapeCell(v) : v]),
    ),
  ]);
  return { records, problems };
}

/** Undo the formula guard of an export: `'=SUM(1)` was `=SUM(1)`, and `''+` was `'+`. */
function unescapeCell(value: string): string {
  return value.startsWith("'") && FORMULA.test(value) ? value.slice(1) : value;
}

/**
 * Read `text` as records of `definition`: every value checked as a form
 * would check it. Column names may be field names or labels, in any case.
 */
export function parseImport(
  definition: CrudDefinition,
  text: string,
  format: Format = formatOf(text),
): ImportResult {
  const { records, problems } = recordsOf(text, format);
  const byName = new Map<string, (typeof definition.fields)[number]>();
  for (const field of definition.fields) {
    byName.set(field.name.toLowerCase(), field);
    byName.set(fieldLabel(field).toLowerCase(), field);
  }
  if (records.length > MAX_IMPORT) {
    problems.push({
      row: 0,
      field: "",
      problem: `at most ${MAX_IMPORT.toLocaleString("en")} records at a time (this file has ${
        records.length.toLocaleString("en")
      })`,
    });
  }
  const columns = new Set(records.flatMap(([, r]) => Object.keys(r)));
  const unknown = [...columns].filter((c) =>
    !byName.has(c.toLowerCase()) && !IGNORED.includes(c.toLowerCase())
  );
  for (const column of unknown) {
    problems.push({
      row: format === "csv" ? 1 : 0,
      field: column,
      problem: `${definition.title} has no field "${column}" (fields: ${
        definition.fields.map((f) => f.name).join(", ")
      })`,
    });
  }
  const given = new Set(
    [...columns].map((c) => byName.get(c.toLowerCase())?.name).filter((n) => n !== undefined),
  );
  const rows: ImportResult["rows"] = [];
  for (const [row, record] of records.slice(0, MAX_IMPORT)) {
    const values: Record<string, CrudValue | null> = {};
    const raw = new Map(
      Object.entries(record).map(([k, v]) => [byName.get(k.toLowerCase())?.name, v]),
    );
    for (const field of definition.fields) {
      try {
        values[field.name] = parseValue(definition.name, field, raw.get(field.name));
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        problems.push({ row, field: field.name, problem: error.message });
      }
    }
    rows.push(values);
  }
  if (records.length === 0 && problems.length === 0) {
    problems.push({ row: 0, field: "", problem: "the file holds no records" });
  }
  return {
    format,
    rows,
    fields: definition.fields.map((f) => f.name).filter((n) => given.has(n)),
    problems: problems.sort((a, b) => a.row - b.row),
  };
}
