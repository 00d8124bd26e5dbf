/**
 * @module
 * The bench for tests of backup files (lib/backup*.ts) without the app: a
 * temporary folder, a Cardflow-like database (a `store` table of 200-byte
 * values), a clock the test moves by hand, and a backup taken at its time.
 */

import { DatabaseSync } from "node:sqlite";
import { backupDatabase, type BackupOptions, type BackupResult } from "@/lib/backup.ts";
import { type Db, openDatabase } from "@/lib/db.ts";

/** Whether file modes mean anything here. */
export const POSIX = Deno.build.os !== "windows";

/** Run `fn` with a fresh temporary folder, removed afterwards. */
export async function withDir(fn: (dir: string) => Promise<void> | void): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "cardflow-backup-files-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** A clock the test moves by hand. */
export interface Clock {
  now(): Date;
  set(next: string): void;
  advance(ms: number): void;
}

/** A {@linkcode Clock} showing `iso`. */
export function clockAt(iso: string): Clock {
  let time = new Date(iso).getTime();
  return {
    now: () => new Date(time),
    set(next: string) {
      time = new Date(next).getTime();
    },
    advance(ms: number) {
      time += ms;
    },
  };
}

/** A Cardflow-like database at `path` with `rows` records in its `store` table. */
export function cardflowDb(path: string, rows = 3): Db {
  const db = openDatabase(path);
  db.exec("CREATE TABLE IF NOT EXISTS store (key TEXT PRIMARY KEY, value TEXT)");
  const insert = db.prepare("INSERT OR REPLACE INTO store VALUES (?, ?)");
  for (let i = 0; i < rows; i++) insert.run(`key${i}`, "x".repeat(200));
  return db;
}

/** A closed Cardflow-like database file of about `rows` × 200 bytes. */
export function cardflowFile(path: string, rows = 3): string {
  const db = cardflowDb(path, rows);
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  db.close();
  return path;
}

/** The value stored under `key` in the database file at `path`, read-only. */
export function storeValue(path: string, key: string): string | undefined {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    const row = db.prepare("SELECT value FROM store WHERE key = ?").get(key) as
      | { value: string }
      | undefined;
    return row?.value;
  } finally {
    db.close();
  }
}

/** Write `bytes` to `path`; the path. */
export function write(path: string, bytes: Uint8Array): string {
  Deno.writeFileSync(path, bytes);
  return path;
}

/** A production backup of `db` into `dir` at the time `now` gives. */
export async function backupAt(
  db: Db,
  dir: string,
  now: () => Date,
  extra: Partial<BackupOptions> = {},
): Promise<BackupResult> {
  return await backupDatabase(db, { backupDir: dir, environment: "production", now, ...extra });
}

/** What {@linkcode withBackupsAt} hands a test. */
export interface BackupBench {
  /** The backup folder (empty, removed afterwards). */
  dir: string;
  /** An in-memory Cardflow-like database (closed afterwards). */
  db: Db;
  clock: Clock;
  /** A production backup of `db` into `dir` at the clock's time. */
  backup(extra?: Partial<BackupOptions>): Promise<BackupResult>;
}

/** Run `fn` with a backup folder, a database and a clock showing `iso`. */
export async function withBackupsAt(
  iso: string,
  fn: (bench: BackupBench) => Promise<void>,
): Promise<void> {
  await withDir(async (dir) => {
    const db = cardflowDb(":memory:");
    const clock = clockAt(iso);
    try {
      await fn({ dir, db, clock, backup: (extra) => backupAt(db, dir, clock.now, extra) });
    } finally {
      db.close();
    }
  });
}

/** {@linkcode withBackupsAt} the present time, for tests where the time does not matter. */
export async function withBackups(fn: (bench: BackupBench) => Promise<void>): Promise<void> {
  await withBackupsAt(new Date().toISOString(), fn);
}
