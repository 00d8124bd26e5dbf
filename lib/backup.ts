/**
 * @module
 * Backups of the database with SQLite's online backup (`node:sqlite`'s
 * `backup`, which works under Deno's narrowed permissions where `VACUUM INTO`
 * cannot attach a file): a consistent copy taken while Cardflow runs, one per environment per day in `<data>/backups/`, a week
 * kept. Restoring checks the file is a sound SQLite database first and keeps
 * the database it replaces beside the backups.
 */

import { backup, DatabaseSync } from "node:sqlite";
import type { Db } from "./db.ts";

/** The databases Cardflow keeps: one per environment. */
type Environment = "development" | "production";

/** A backup that cannot be made or used; the message says why. */
export class BackupError extends Error {
  override name = "BackupError";
}

/** How many daily copies of each environment are kept. */
export const KEEP_DAYS = 7;

/** One backup file. */
export interface BackupFile {
  name: string;
  environment: Environment;
  /** `YYYY-MM-DD`. */
  day: string;
  bytes: number;
  modified: Date;
}

const NAME = /^(development|production)-(\d{4}-\d{2}-\d{2})\.db$/;

/** The backups folder under `dataDir`. */
export function backupDir(dataDir: string): string {
  return `${dataDir}/backups`;
}

/** Whether `name` is a backup file name (and so safe to join to the folder). */
export function isBackupName(name: string): boolean {
  return NAME.test(name);
}

/** List backups, newest first. */
export function listBackups(dataDir: string): BackupFile[] {
  const dir = backupDir(dataDir);
  const found: BackupFile[] = [];
  try {
    for (const entry of Deno.readDirSync(dir)) {
      const match = NAME.exec(entry.name);
      if (!entry.isFile || !match) continue;
      const info = Deno.statSync(`${dir}/${entry.name}`);
      found.push({
        name: entry.name,
        environment: match[1] as Environment,
        day: match[2]!,
        bytes: info.size,
        modified: info.mtime ?? new Date(0),
      });
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return found.sort((a, b) => b.day.localeCompare(a.day) || a.name.localeCompare(b.name));
}

/** Options for {@linkcode backupDatabase}. */
export interface BackupOptions {
  environment: Environment;
  /** Today, for the file name (tests pass a fixed date). */
  now?: Date;
  /** Keep today's copy if there is one (the start-up backup). */
  onlyIfMissing?: boolean;
}

/** Copy `db` to today's backup file and prune old ones; returns the file. */
export async function backupDatabase(
  db: Db,
  dataDir: string,
  options: BackupOptions,
): Promise<BackupFile> {
  const dir = backupDir(dataDir);
  Deno.mkdirSync(dir, { recursive: true });
  const day = (options.now ?? new Date()).toISOString().slice(0, 10);
  const name = `${options.environment}-${day}.db`;
  const target = `${dir}/${name}`;
  const exists = listBackups(dataDir).some((b) => b.name === name);
  if (!(options.onlyIfMissing && exists)) {
    // Write beside the old copy, then swap in, so a failed backup never destroys one.
    const temp = `${target}.${crypto.randomUUID().slice(0, 8)}.partial`;
    try {
      Deno.removeSync(temp);
    } catch { /* no leftover from an interrupted backup */ }
    await backup(db, temp);
    Deno.renameSync(temp, target);
  }
  prune(dataDir, options.environment);
  return listBackups(dataDir).find((b) => b.name === name)!;
}

function prune(dataDir: string, environment: Environment): void {
  const mine = listBackups(dataDir).filter((b) => b.environment === environment);
  for (const old of mine.slice(KEEP_DAYS)) Deno.removeSync(`${backupDir(dataDir)}/${old.name}`);
}

/** Throw a clear error unless `path` is a readable, intact SQLite database. */
export function checkBackup(path: string): void {
  let db: DatabaseSync | undefined;
  try {
    db = new DatabaseSync(path, { readOnly: true });
    const row = db.prepare("PRAGMA integrity_check").get() as { integrity_check: string };
    if (row.integrity_check !== "ok") {
      throw new Error(`integrity check failed: ${row.integrity_check}`);
    }
  } catch (error) {
    throw new BackupError(`${path} is not a usable Cardflow backup: ${(error as Error).message}`);
  } finally {
    db?.close();
  }
}

/**
 * Put the backup at `from` in place of the database at `target` (which must
 * be closed). The replaced database is kept as `backups/replaced-<time>.db`.
 */
export function restoreFile(from: string, target: string, dataDir: string): string | undefined {
  checkBackup(from);
  Deno.mkdirSync(backupDir(dataDir), { recursive: true });
  let kept: string | undefined;
  try {
    Deno.statSync(target);
    kept = `${backupDir(dataDir)}/replaced-${new Date().toISOString().replace(/[:.]/g, "-")}.db`;
    Deno.renameSync(target, kept);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  for (const suffix of ["-wal", "-shm"]) {
    try {
      Deno.removeSync(target + suffix);
    } catch { /* not there */ }
  }
  Deno.copyFileSync(from, target);
  return kept;
}
