/**
 * @module
 * Restore as a transaction of files. The incoming copy is prepared and checked
 * beside the database, the current database is copied into the backup folder
 * as a listed `...-replaced.db`, and only then does one rename swap the new
 * file in: at every instant the database path holds a whole database, and a
 * full disk fails before anything changed. `rollback()` puts the replaced
 * database back. Nothing a user could want is deleted: the candidate stays
 * where it was and the replaced database stays listed.
 */

import { DatabaseSync } from "node:sqlite";
import { dirname } from "node:path";
import {
  BackupError,
  copyPrivately,
  ensureDir,
  failure,
  makePrivate,
  placeInto,
  removeQuietly,
  syncDir,
  syncFile,
  tempPath,
} from "./backup_files.ts";
import { inspectCandidate, type SchemaCheck } from "./backup_inspect.ts";
import { backupName, type Environment } from "./backup_names.ts";

/** Options for {@linkcode swapIn}. */
export interface SwapOptions {
  /** Where the replaced database is kept, as a listed backup. */
  backupDir: string;
  /** The environment the database belongs to, for the replaced copy's name. */
  environment: Environment;
  /** The clock, for the replaced copy's name. */
  now?: () => Date;
  /** Checked again on the copy about to go in, after the caller's inspection. */
  check?: SchemaCheck;
}

/** A restore that has happened and can still be undone. */
export interface Swap {
  /** Path of the listed `...-replaced.db` backup; undefined when there was no database. */
  previous: string | undefined;
  /** Put the replaced database back (or remove the restored copy if there was none). */
  rollback(): void;
}

const SIDECARS = ["-wal", "-shm"] as const;

/**
 * Replace the database at `target` (closed by the caller) with a copy of
 * `candidate`, keeping the current one in the backup folder.
 */
export function swapIn(candidate: string, target: string, options: SwapOptions): Swap {
  const what = `Could not restore ${candidate}`;
  const folder = dirname(target);
  if (sameFile(candidate, target)) {
    throw new BackupError(`${what}: it is the database itself`);
  }
  const incoming = tempPath(folder, "restore");
  try {
    copyPrivately(candidate, incoming);
  } catch (error) {
    throw failure(what, folder, error);
  }
  // Checked again as copied: the caller's inspection may be stale, and the copy could fail.
  const inspection = inspectCandidate(incoming, { check: options.check, allowEmpty: true });
  if (!inspection.ok) {
    removeQuietly(incoming);
    throw new BackupError(`${what}: ${inspection.problem}`);
  }
  let previous: string | undefined;
  try {
    ensureDir(options.backupDir);
    previous = exists(target) ? keepPrevious(target, options) : undefined;
  } catch (error) {
    removeQuietly(incoming);
    throw failure(
      `${what}: the current database could not be kept first`,
      options.backupDir,
      error,
    );
  }
  try {
    // Leftover -wal/-shm belong to the old file (their changes are folded into `previous`);
    // left in place, SQLite would replay them onto the restored one.
    const aside = SIDECARS.map((s) => [target + s, tempPath(folder, "aside")] as const)
      .filter(([from]) => exists(from));
    for (const [from, to] of aside) Deno.renameSync(from, to);
    try {
      Deno.renameSync(incoming, target);
    } catch (error) {
      for (const [from, to] of aside) Deno.renameSync(to, from);
      throw error;
    }
    syncDir(folder);
    for (const [, to] of aside) removeQuietly(to);
  } catch (error) {
    removeQuietly(incoming);
    throw failure(
      `${what}${previous ? ` (the current database is kept as ${previous})` : ""}`,
      folder,
      error,
    );
  }
  return { previous, rollback: () => putBack(previous, target) };
}

/** Copy the database at `target` (with any unsaved -wal folded in) to a listed backup. */
function keepPrevious(target: string, options: SwapOptions): string {
  const dir = options.backupDir;
  const temp = tempPath(dir, "replaced");
  try {
    copyPrivately(target, temp);
    if (size(`${target}-wal`) > 0) {
      // A crash (or a skipped checkpoint) left changes in the WAL: fold them into the copy,
      // never into the original, so the kept file is whole on its own.
      copyPrivately(`${target}-wal`, `${temp}-wal`);
      const db = new DatabaseSync(temp);
      try {
        db.exec("PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode = DELETE");
      } finally {
        db.close();
      }
      makePrivate(temp);
      syncFile(temp);
    }
    const time = (options.now ?? (() => new Date()))();
    const name = placeInto(
      temp,
      dir,
      (seq) => backupName(options.environment, time, "replaced", seq),
    );
    return `${dir}/${name}`;
  } finally {
    for (const path of [temp, `${temp}-wal`, `${temp}-shm`, `${temp}-journal`]) removeQuietly(path);
  }
}

/** Undo a swap: the kept copy goes back byte for byte (a leftover WAL stays folded in). */
function putBack(previous: string | undefined, target: string): void {
  const folder = dirname(target);
  try {
    // The failed start on the restored copy may have left these; they must not meet the old file.
    for (const suffix of SIDECARS) removeQuietly(target + suffix);
    if (!previous) {
      removeQuietly(target);
      return;
    }
    const back = tempPath(folder, "rollback");
    copyPrivately(previous, back);
    try {
      Deno.renameSync(back, target);
    } catch (error) {
      removeQuietly(back);
      throw error;
    }
    syncDir(folder);
  } catch (error) {
    throw failure(
      `Could not put the previous database back${previous ? ` (it is still at ${previous})` : ""}`,
      folder,
      error,
    );
  }
}

function sameFile(a: string, b: string): boolean {
  try {
    return Deno.realPathSync(a) === Deno.realPathSync(b);
  } catch {
    return false;
  }
}

function exists(path: string): boolean {
  return size(path) >= 0;
}

function size(path: string): number {
  try {
    return Deno.statSync(path).size;
  } catch {
    return -1;
  }
}
