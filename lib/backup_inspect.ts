/**
 * @module
 * Looking at a file before it may replace the database: is it there, is it
 * SQLite, is it whole, is it the kind of database the caller expects, does it
 * hold anything. Each refusal is a sentence a user can act on.
 *
 * Files are opened read-only *and* `immutable`: read-only alone still makes
 * SQLite create `-wal`/`-shm` files beside a WAL-format file and leave them
 * there, and it never writes a byte of the file itself either way.
 */

import { DatabaseSync } from "node:sqlite";
import { pathToFileURL } from "node:url";

/** What {@linkcode inspectCandidate} found. */
export type Inspection =
  | { ok: true; tables: string[]; rows: number }
  | { ok: false; problem: string };

/** Judges a sound SQLite file: a problem in plain words, or undefined if it will do. */
export type SchemaCheck = (db: DatabaseSync) => string | undefined;

/** Options for {@linkcode inspectCandidate}. */
export interface InspectOptions {
  /** Whether the schema is one the caller uses or can migrate (the services layer decides). */
  check?: SchemaCheck;
  /** Accept a database without a single record (the user confirmed it). */
  allowEmpty?: boolean;
}

const MAGIC = "SQLite format 3\0";
const SQLITE_CORRUPT = 11;
const SQLITE_NOTADB = 26;

/** Open `path` for reading only, touching nothing on disk, not even beside it. */
export function openReadOnly(path: string): DatabaseSync {
  return new DatabaseSync(`${pathToFileURL(path).href}?immutable=1`, { readOnly: true });
}

/** Whether `path` is a sound, fitting database to restore; never changes the file. */
export function inspectCandidate(path: string, options: InspectOptions = {}): Inspection {
  const problem = fileProblem(path);
  if (problem) return { ok: false, problem };
  let db: DatabaseSync | undefined;
  try {
    db = openReadOnly(path);
    const damage = integrityProblem(db) ?? options.check?.(db);
    if (damage) return { ok: false, problem: damage };
    const tables = db.prepare(
      "SELECT name, sql FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
    ).all() as { name: string; sql: string | null }[];
    let rows = 0;
    for (const table of tables) {
      // A virtual table may need a module this SQLite lacks; its shadow tables hold the rows.
      if (/^\s*create\s+virtual/i.test(table.sql ?? "")) continue;
      const quoted = `"${table.name.replaceAll('"', '""')}"`;
      rows += (db.prepare(`SELECT count(*) AS n FROM ${quoted}`).get() as { n: number }).n;
    }
    if (rows === 0 && !options.allowEmpty) {
      return {
        ok: false,
        problem: "it is empty (no records); restore it anyway only if you mean to",
      };
    }
    return { ok: true, tables: tables.map((t) => t.name), rows };
  } catch (error) {
    return { ok: false, problem: sqliteProblem(error) };
  } finally {
    db?.close();
  }
}

/** The first problem `PRAGMA integrity_check` (then `check`) reports for `path`, if any. */
export function verifyCopy(path: string, check?: SchemaCheck): string | undefined {
  let db: DatabaseSync | undefined;
  try {
    db = openReadOnly(path);
    return integrityProblem(db) ?? check?.(db);
  } catch (error) {
    return sqliteProblem(error);
  } finally {
    db?.close();
  }
}

function integrityProblem(db: DatabaseSync): string | undefined {
  const first = db.prepare("PRAGMA integrity_check(1)").get() as { integrity_check: string };
  if (first.integrity_check === "ok") return undefined;
  // SQLite heads the report with "*** in database main ***"; the finding is the line after.
  const finding = first.integrity_check.split("\n").find((line) => !line.startsWith("***"));
  return `the database is damaged: ${finding ?? first.integrity_check}`;
}

function sqliteProblem(error: unknown): string {
  const e = error as { errcode?: number; message?: string };
  if (e.errcode === SQLITE_NOTADB) return "the file is not a SQLite database";
  if (e.errcode === SQLITE_CORRUPT) return `the database is damaged: ${e.message}`;
  return `the file could not be read as a database: ${e.message ?? String(error)}`;
}

/** Problems visible without SQLite: absent, a folder, empty, foreign, cut short, pending WAL. */
function fileProblem(path: string): string | undefined {
  let size: number;
  const header = new Uint8Array(100);
  let read = 0;
  try {
    const info = Deno.statSync(path);
    if (!info.isFile) return "it is a folder or a device, not a file";
    size = info.size;
    if (size === 0) return "the file is empty (0 bytes)";
    using file = Deno.openSync(path, { read: true });
    while (read < header.length) {
      const n = file.readSync(header.subarray(read));
      if (n === null) break;
      read += n;
    }
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return "the file does not exist";
    if (error instanceof Deno.errors.PermissionDenied) {
      return "the file cannot be read (no permission)";
    }
    return `the file cannot be read: ${(error as Error).message}`;
  }
  if (new TextDecoder().decode(header.subarray(0, 16)) !== MAGIC) {
    return "the file is not a SQLite database";
  }
  const expected = expectedBytes(header);
  if (size < 100 || (expected !== undefined && size < expected)) {
    return `the database is damaged: the file is cut short (${size} bytes${
      expected ? ` of ${expected}` : ""
    })`;
  }
  const wal = walBytes(path);
  if (wal > 0) {
    return `it has changes not yet written into it, in ${path}-wal (${wal} bytes): close ` +
      "the program using it, or open it once with SQLite, then try again";
  }
  return undefined;
}

/** The size the header promises, when the header's page count is trustworthy. */
function expectedBytes(header: Uint8Array): number | undefined {
  const view = new DataView(header.buffer);
  const raw = view.getUint16(16);
  const pageSize = raw === 1 ? 65536 : raw;
  const pages = view.getUint32(28);
  // The page count is valid only when written by a SQLite that also set "version-valid-for".
  const valid = view.getUint32(24) === view.getUint32(92);
  return valid && pages > 0 && pageSize >= 512 ? pages * pageSize : undefined;
}

function walBytes(path: string): number {
  try {
    return Deno.statSync(`${path}-wal`).size;
  } catch {
    return 0;
  }
}
