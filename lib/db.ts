/**
 * @module
 * Opening SQLite through the built-in `node:sqlite` (no FFI, no downloaded
 * library: it works offline, compiled and under Nix) with the pragmas a
 * local app wants, and the one transaction helper every write goes through.
 */

import { DatabaseSync } from "node:sqlite";

/** A database connection. */
export type Db = DatabaseSync;

/** Options for {@linkcode openDatabase}. */
export interface OpenOptions {
  /** How long a writer waits for a lock before failing, in ms. */
  busyTimeoutMs?: number;
}

/**
 * Make the database at `path` owner-only: created 0600 before SQLite does
 * (which would use 0644), and an older file, `-wal` or `-shm` tightened.
 * SQLite gives the `-wal` and `-shm` it creates the database file's mode.
 */
function ownerOnly(path: string): void {
  if (Deno.build.os === "windows") return;
  try {
    Deno.openSync(path, { createNew: true, write: true, mode: 0o600 }).close();
  } catch (error) {
    if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
  }
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    try {
      const mode = Deno.statSync(file).mode ?? 0;
      if (mode & 0o077) Deno.chmodSync(file, mode & 0o700);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }
}

/** Open (creating if needed, owner-only) the database at `path`, or ":memory:". */
export function openDatabase(path: string, options: OpenOptions = {}): Db {
  if (path !== ":memory:") ownerOnly(path);
  const db = new DatabaseSync(path);
  try {
    db.exec(`PRAGMA busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? 5000)}`);
    if (path !== ":memory:") db.exec("PRAGMA journal_mode = WAL");
    db.exec("PRAGMA synchronous = NORMAL");
    db.exec("PRAGMA foreign_keys = ON");
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

/**
 * Run `fn` in one transaction: BEGIN IMMEDIATE (so two writers queue on the
 * busy timeout instead of failing mid-way), COMMIT, or ROLLBACK and rethrow.
 * Nested calls become savepoints, so an inner failure undoes only its part.
 */
export function transaction<T>(db: Db, fn: () => T): T {
  const nested = db.isTransaction;
  // SQLite resolves a repeated savepoint name to the innermost one, so one name serves every depth.
  const name = "cardflow_nested";
  db.exec(nested ? `SAVEPOINT ${name}` : "BEGIN IMMEDIATE");
  let result: T;
  try {
    result = fn();
    if (result instanceof Promise) {
      throw new TypeError(
        "transaction(): fn must be synchronous; a Promise would outlive the transaction",
      );
    }
  } catch (error) {
    db.exec(nested ? `ROLLBACK TO ${name}; RELEASE ${name}` : "ROLLBACK");
    throw error;
  }
  db.exec(nested ? `RELEASE ${name}` : "COMMIT");
  return result;
}

/** Checkpoint the WAL into the main file and close; safe to call twice. */
export function closeDatabase(db: Db): void {
  if (!db.isOpen) return;
  try {
    db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  } catch { /* in-memory or read-only: nothing to checkpoint */ }
  db.close();
}
