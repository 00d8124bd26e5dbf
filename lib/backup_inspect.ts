/**
 * @module
 * Looking at a file before it may replace the database: is it there, is it
 * SQLite, is it whole, is it the kind of database the caller expects, does it
 * hold anything. Each refusal is a sentence a user can act on.
 *
 * Files are opened read-only, which never writes a byte of the file. A file in
 * WAL format (header bytes 18–19 set to 2, as every Cardflow database and
 * every SQLite backup of one is) would still make SQLite create `-wal` and
 * `-shm` files beside it and leave them there; SQLite's `immutable` URI
 * parameter would avoid that, but Deno refuses URI file names unless every
 * permission is granted (`-P=cardflow` is not). So such a file is read from a
 * private copy in a temp folder whose header says rollback-journal format: the
 * same pages, nothing beside the original. Copies Cardflow made itself are
 * switched in place ({@linkcode toRollbackFormat}) and read directly.
 */

import { DatabaseSync } from "node:sqlite";

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

/** Offset of the header's "file format write version" and "read version" bytes. */
const FORMAT_BYTES = 18;

/** Whether the header of `path` says WAL format (either version byte 2). */
function walFormat(path: string): boolean {
  using file = Deno.openSync(path, { read: true });
  const bytes = new Uint8Array(2);
  file.seekSync(FORMAT_BYTES, Deno.SeekMode.Start);
  return file.readSync(bytes) === 2 && (bytes[0] === 2 || bytes[1] === 2);
}

/**
 * Switch the database file at `path`, a private copy with no `-wal` beside it,
 * to rollback-journal format (what `PRAGMA journal_mode = DELETE` leaves): read
 * only, it then needs nothing beside it. Cardflow's own open turns WAL back on.
 */
export function toRollbackFormat(path: string): void {
  if (!walFormat(path)) return;
  using file = Deno.openSync(path, { read: true, write: true });
  file.seekSync(FORMAT_BYTES, Deno.SeekMode.Start);
  file.writeSync(new Uint8Array([1, 1]));
  file.syncSync();
}

/** Run `fn` on `path` opened read-only, leaving nothing on disk beside it (see the module doc). */
function readOnly<T>(path: string, fn: (db: DatabaseSync) => T): T {
  let scratch: string | undefined;
  let file = path;
  if (walFormat(path)) {
    scratch = Deno.makeTempDirSync({ prefix: "cardflow-inspect-" });
    file = `${scratch}/copy.db`;
    Deno.copyFileSync(path, file);
    toRollbackFormat(file);
  }
  try {
    const db = new DatabaseSync(file, { readOnly: true });
    try {
      return fn(db);
    } finally {
      db.close();
    }
  } finally {
    if (scratch) Deno.removeSync(scratch, { recursive: true });
  }
}

/** Whether `path` is a sound, fitting database to restore; never changes the file. */
export function inspectCandidate(path: string, options: InspectOptions = {}): Inspection {
  const problem = fileProblem(path);
  if (problem) return { ok: false, problem };
  try {
    return readOnly(path, (db) => inspect(db, options));
  } catch (error) {
    return { ok: false, problem: sqliteProblem(error) };
  }
}

function inspect(db: DatabaseSync, options: InspectOptions): Inspection {
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
}

/**
 * What stops Cardflow opening the database at `path` for writing, if
 * anything: not SQLite, cut short, or damaged pages (`PRAGMA quick_check`,
 * about 1 ms per MB here, so it runs on every start). It opens
 * the file read-only, so a file it refuses keeps every byte, and removes the
 * `-wal`/`-shm` SQLite creates for a WAL-format file if it created them. An
 * absent or empty file is a new database, and a `-wal` left by a crash is normal.
 */
export function databaseFileProblem(path: string): string | undefined {
  try {
    if (Deno.statSync(path).size === 0) return undefined;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
  }
  // A crash can leave committed pages in the -wal (even mid-checkpoint, with the header
  // promising pages not yet written): then SQLite must read the file with its -wal.
  const problem = fileProblem(path, { walAllowed: walBytes(path) > 0 });
  if (problem) return problem;
  const sidecars = ["-wal", "-shm"].map((s) => path + s).filter((p) => !exists(p));
  let found: string | undefined;
  try {
    const db = new DatabaseSync(path, { readOnly: true });
    try {
      // Every b-tree page, without checking indexes against tables: ~1 ms per MB.
      found = integrityProblem(db, "quick_check");
    } finally {
      db.close();
    }
  } catch (error) {
    found = sqliteProblem(error);
  }
  // Refused: take away what SQLite made beside it, so the folder is as it was.
  if (found) { for (const created of sidecars) removeIfThere(created); }
  return found;
}

function removeIfThere(path: string): void {
  try {
    Deno.removeSync(path);
  } catch { /* never made */ }
}

function exists(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** The first problem `PRAGMA integrity_check` (then `check`) reports for `path`, if any. */
export function verifyCopy(path: string, check?: SchemaCheck): string | undefined {
  try {
    return readOnly(path, (db) => integrityProblem(db) ?? check?.(db));
  } catch (error) {
    return sqliteProblem(error);
  }
}

function integrityProblem(
  db: DatabaseSync,
  pragma: "integrity_check" | "quick_check" = "integrity_check",
): string | undefined {
  const first = Object.values(db.prepare(`PRAGMA ${pragma}(1)`).get() ?? {})[0];
  const report = String(first);
  if (report === "ok") return undefined;
  // SQLite heads the report with "*** in database main ***"; the finding is the line after.
  const finding = report.split("\n").find((line) => !line.startsWith("***"));
  return `the database is damaged: ${finding ?? report}`;
}

function sqliteProblem(error: unknown): string {
  const e = error as { errcode?: number; message?: string };
  if (e.errcode === SQLITE_NOTADB) return "the file is not a SQLite database";
  if (e.errcode === SQLITE_CORRUPT) return `the database is damaged: ${e.message}`;
  return `the file could not be read as a database: ${e.message ?? String(error)}`;
}

/** Problems visible without SQLite: absent, a folder, empty, foreign, cut short, pending WAL. */
function fileProblem(path: string, options: { walAllowed?: boolean } = {}): string | undefined {
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
  const expected = options.walAllowed ? undefined : expectedBytes(header);
  if (size < 100 || (expected !== undefined && size < expected)) {
    return `the database is damaged: the file is cut short (${size} bytes${
      expected ? ` of ${expected}` : ""
    })`;
  }
  const wal = options.walAllowed ? 0 : walBytes(path);
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
