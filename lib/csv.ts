/**
 * @module
 * CSV for downloads, written by papaparse: RFC 4180 quoting (a comma, a quote
 * or a line break puts a cell in quotes, a quote is doubled), CRLF between
 * records, a header row, UTF-8 with a byte order mark. The BOM is there for
 * Excel, which otherwise reads a CSV file in the machine's legacy code page
 * and garbles every accented letter; other readers (papaparse, Python's
 * `utf-8-sig`, LibreOffice, Google Sheets) skip it. A text cell that starts
 * like a formula (`=`, `+`, `-`, `@`, tab, CR) gets a leading `'`, so a
 * crawled page title cannot run as a formula in a spreadsheet; numbers stay
 * numbers, and so does text that is a plain number such as "-5".
 */

// @ts-types="@types/papaparse"
import Papa from "papaparse";

/** One cell. */
export type CsvCell = string | number | boolean | null | undefined;

/** The byte order mark that starts every file {@linkcode toCsv} writes. */
export const BOM = "\uFEFF";

/** A leading character that makes a spreadsheet evaluate a cell, unless the cell is a number. */
const FORMULA = /^(?:[=+@\t\r]|-(?!\d+(?:\.\d+)?$))/;

/**
 * `rows` as CSV text with a header of `columns` (every key of the rows, in
 * order of appearance, when omitted).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { toCsv } from "./csv.ts";
 * assert.equal(toCsv([{ a: 'say "hi"', b: 2 }]), '\uFEFFa,b\r\n"say ""hi""",2');
 * ```
 */
export function toCsv(
  rows: readonly Record<string, CsvCell>[],
  columns?: readonly string[],
): string {
  const header = columns ?? [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const data = rows.map((row) => header.map((column) => row[column] ?? ""));
  return BOM + Papa.unparse({ fields: [...header], data }, {
    newline: "\r\n",
    escapeFormulae: FORMULA,
  });
}

/** Parse CSV text with a header row back into records of text (the BOM is skipped). */
export function fromCsv(text: string): { rows: Record<string, string>[]; errors: string[] } {
  const result = Papa.parse<Record<string, string>>(text.replace(/^\uFEFF/, ""), {
    header: true,
    skipEmptyLines: true,
  });
  return { rows: result.data, errors: result.errors.map((e) => `row ${e.row}: ${e.message}`) };
}
