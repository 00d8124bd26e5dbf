/**
 * @module
 * Backups of the database: writing a copy that is known good before it is
 * listed, keeping a bounded set of copies, and (from the modules re-exported
 * here) inspecting a file before restoring it and swapping it in.
 *
 * Writing uses SQLite's online backup (`node:sqlite`'s `backup`, which works
 * under Deno's narrowed permissions where `VACUUM INTO` cannot attach a file)
 * into a hidden temp file in the backup folder; the copy is flushed to disk,
 * passes `PRAGMA integrity_check` (and the caller's check), and only then is
 * renamed to a name no other copy has. Any failure removes the temp file.
 *
 * Retention, per environment, after each backup. A copy is kept if it is
 * - among the newest `keepNewest` (10);
 * - the newest of its day, for the `keepDays` (14) most recent days that
 *   have a copy: days with backups, not calendar age, so a Cardflow left
 *   unopened for a month comes back with its history and a wrong clock
 *   cannot age copies out;
 * - among the newest `keepAlways` (at least 3) by the time in its name, and
 *   by its file time, or the copy just written, whatever the clock says;
 * - the newest `replaced` copy, the only copy of what the last restore replaced.
 * "Newest" reads the time in the name, except that a name dated after now
 * can only come from a clock that ran ahead, so such copies rank below every
 * present one: copies written after the clock came back are never crowded out.
 */

import { backup } from "node:sqlite";
import type { Db } from "./db.ts";
import {
  BackupError,
  ensureDir,
  failure,
  FILE_MODE,
  makePrivate,
  placeInto,
  removeQuietly,
  syncFile,
  tempPath,
} from "./backup_files.ts";
import { type SchemaCheck, toRollbackFormat, verifyCopy } from "./backup_inspect.ts";
import {
  type BackupFile,
  backupName,
  type BackupReason,
  type Environment,
  listBackups,
  newestFirst,
} from "./backup_names.ts";

export { BackupError, DIR_MODE, EmptyBackupError, FILE_MODE, sweepTemp } from "./backup_files.ts";
export {
  databaseFileProblem,
  inspectCandidate,
  type Inspection,
  type InspectOptions,
  type SchemaCheck,
} from "./backup_inspect.ts";
export {
  BACKUP_REASONS,
  type BackupFile,
  type BackupReason,
  type Environment,
  isBackupName,
  listBackups,
  parseBackupName,
} from "./backup_names.ts";
export { type Swap, swapIn, type SwapOptions } from "./backup_restore.ts";

/** How many copies retention keeps (see the module doc). */
export interface RetentionOptions {
  /** The newest copies kept per environment. */
  keepNewest?: number;
  /** How many of the most recent days with a copy keep their newest one. */
  keepDays?: number;
  /** The newest copies never removed, by name time and by file time (at least 3). */
  keepAlways?: number;
}

/** Defaults for {@linkcode backupDatabase}. */
export const BACKUP_DEFAULTS = {
  reason: "manual",
  keepNewest: 10,
  keepDays: 14,
  keepAlways: 3,
  /** The backup folder's name under the data folder, unless `--backup-dir` says otherwise. */
  folder: "backups",
} as const;

/** The floor under `keepAlways`: retention never removes the three newest copies. */
export const MIN_KEEP_ALWAYS = 3;

/** The backup folder for `dataDir` when none is configured. */
export function defaultBackupDir(dataDir: string): string {
  return `${dataDir}/${BACKUP_DEFAULTS.folder}`;
}

/** Options for {@linkcode backupDatabase}. */
export interface BackupOptions extends RetentionOptions {
  /** The folder for the copies (created owner-only if missing). */
  backupDir: string;
  environment: Environment;
  reason?: BackupReason;
  /** The clock, for the name and for retention (tests pass their own). */
  now?: () => Date;
  /** Checked on the copy before it counts, besides `PRAGMA integrity_check`. */
  check?: SchemaCheck;
  /** Writes the copy of `db` to `path`; SQLite's online backup unless a test says otherwise. */
  write?: (db: Db, path: string) => Promise<unknown>;
}

/** A backup written, and what retention removed after it. */
export interface BackupResult {
  file: BackupFile;
  /** Names of older copies retention removed. */
  removed: string[];
}

/** Write a checked copy of `db` to the backup folder, then apply retention. */
export async function backupDatabase(db: Db, options: BackupOptions): Promise<BackupResult> {
  const { backupDir: dir, environment } = options;
  const now = options.now ?? (() => new Date());
  const what = `Could not back up the ${environment} database`;
  const time = now();
  const reason = options.reason ?? BACKUP_DEFAULTS.reason;
  backupName(environment, time, reason); // a clock that cannot name a copy fails before any write
  const temp = tempPath(dir, "backup");
  let name: string;
  try {
    ensureDir(dir);
    // Created owner-only before SQLite writes a byte into it (SQLite itself would use 0644).
    Deno.openSync(temp, { createNew: true, write: true, mode: FILE_MODE }).close();
    await (options.write ?? backup)(db, temp);
    // A copy complete on its own: readable without a -wal or -shm beside it.
    toRollbackFormat(temp);
    makePrivate(temp);
    syncFile(temp);
    const problem = verifyCopy(temp, options.check);
    if (problem) throw new BackupError(`${what}: the copy failed its check: ${problem}`);
    name = placeInto(temp, dir, (seq) => backupName(environment, time, reason, seq));
  } catch (error) {
    for (const path of [temp, `${temp}-journal`, `${temp}-wal`, `${temp}-shm`]) {
      removeQuietly(path);
    }
    throw failure(what, dir, error);
  }
  try {
    return prune(dir, name, { ...options, now: now() });
  } catch (error) {
    throw failure(`${what}: ${name} was written, but old copies could not be removed`, dir, error);
  }
}

/** Apply retention to the environment of `written`, the copy just placed in `dir`. */
function prune(
  dir: string,
  written: string,
  options: RetentionOptions & { environment: Environment; now: Date },
): BackupResult {
  const mine = listBackups(dir).filter((b) => b.environment === options.environment);
  const file = mine.find((b) => b.name === written);
  if (!file) throw new BackupError(`${written} vanished from ${dir} as it was written`);
  const removed = expired(mine, { ...options, written });
  for (const old of removed) {
    try {
      Deno.removeSync(old.path);
    } catch (error) {
      // A concurrent backup's retention may have got there first.
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }
  return { file, removed: removed.map((b) => b.name) };
}

/** The copies in `files` (one environment's) that retention removes. */
function expired(
  files: BackupFile[],
  options: RetentionOptions & { now: Date; written: string },
): BackupFile[] {
  const newest = options.keepNewest ?? BACKUP_DEFAULTS.keepNewest;
  const days = options.keepDays ?? BACKUP_DEFAULTS.keepDays;
  const always = Math.max(MIN_KEEP_ALWAYS, options.keepAlways ?? BACKUP_DEFAULTS.keepAlways);
  const now = options.now.getTime();
  const future = (b: BackupFile) => Number(b.time.getTime() > now);
  const ranked = files.toSorted((a, b) => future(a) - future(b) || newestFirst(a, b));
  const byName = files.toSorted(newestFirst);
  const byFileTime = files.toSorted((a, b) =>
    b.modified.getTime() - a.modified.getTime() || newestFirst(a, b)
  );
  const keep = new Set([options.written]);
  for (const b of ranked.slice(0, Math.max(newest, always))) keep.add(b.name);
  for (const b of byName.slice(0, always)) keep.add(b.name);
  for (const b of byFileTime.slice(0, always)) keep.add(b.name);
  const seen = new Set<string>();
  for (const b of ranked) {
    const day = b.time.toISOString().slice(0, 10);
    if (seen.has(day)) continue;
    if (seen.size >= days) break;
    seen.add(day);
    keep.add(b.name);
  }
  const replaced = ranked.find((b) => b.reason === "replaced");
  if (replaced) keep.add(replaced.name);
  return files.filter((b) => !keep.has(b.name));
}
