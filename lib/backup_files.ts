/**
 * @module
 * The careful file handling under backups and restores: private folders and
 * files, writes that reach the disk before they count (temp file, fsync,
 * rename, fsync the folder), names that are never reused, no debris when a
 * step fails, and errors that say plainly when the disk is full.
 */

import { isDiskFull } from "./errors.ts";

/** A backup or restore that could not be done; the message says why in plain words. */
export class BackupError extends Error {
  override name = "BackupError";
}

/** Mode of the folders backups create: the owner only, since copies hold all the data. */
export const DIR_MODE = 0o700;
/** Mode of backup and restored database files: the owner only. */
export const FILE_MODE = 0o600;

/**
 * A restore candidate without a single record: restoring it empties the
 * database, so it needs the person's confirmation.
 */
export class EmptyBackupError extends BackupError {
  override name = "EmptyBackupError";
}

/** A {@linkcode BackupError} for `error` met while doing `what` in the folder `where`. */
export function failure(what: string, where: string, error: unknown): BackupError {
  if (error instanceof BackupError) return error;
  const detail = error instanceof Error ? error.message : String(error);
  const message = isDiskFull(error)
    ? `${what}: the disk is full (no room left in ${where}); free some space and try again`
    : `${what}: ${detail}`;
  return new BackupError(message, { cause: error });
}

/** Create `dir` (and its parents) for the owner only; an existing folder is left as it is. */
export function ensureDir(dir: string): void {
  Deno.mkdirSync(dir, { recursive: true, mode: DIR_MODE });
}

/** Set `path` to {@linkcode FILE_MODE} (Windows has no such modes). */
export function makePrivate(path: string): void {
  if (Deno.build.os !== "windows") Deno.chmodSync(path, FILE_MODE);
}

/** Flush `path`'s bytes to the disk. */
export function syncFile(path: string): void {
  // Write access because Windows refuses to flush a file opened read-only.
  using file = Deno.openSync(path, { read: true, write: true });
  file.syncSync();
}

/** Flush `dir`'s entries so a rename into it survives a power cut, where the OS allows it. */
export function syncDir(dir: string): void {
  try {
    using folder = Deno.openSync(dir, { read: true });
    folder.syncSync();
  } catch {
    // Windows cannot open a folder; there the rename's durability is the file system's.
  }
}

/** Remove `path` if it is there; clean-up must not hide the error that caused it. */
export function removeQuietly(path: string): void {
  try {
    Deno.removeSync(path);
  } catch { /* absent, or not ours to report */ }
}

/** A fresh hidden temp file name in `dir` (never a backup name, so never listed). */
export function tempPath(dir: string, label: string): string {
  return `${dir}/.${label}-${crypto.randomUUID().slice(0, 13)}.tmp`;
}

const TEMP = /^\.(backup|replaced|restore|aside|rollback)-[0-9a-f-]{13}\.tmp(-journal|-wal|-shm)?$/;

/**
 * Remove the temp files a process stopped mid-backup or mid-restore left in
 * `dir` (only names {@linkcode tempPath} makes); returns their names. Run at
 * start-up, before this process writes any.
 */
export function sweepTemp(dir: string): string[] {
  const removed: string[] = [];
  try {
    for (const entry of Deno.readDirSync(dir)) {
      if (!entry.isFile || !TEMP.test(entry.name)) continue;
      removeQuietly(`${dir}/${entry.name}`);
      removed.push(entry.name);
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return removed;
}

/**
 * Copy `from` to the new file `to` (owner-only from its first byte) and flush
 * it; on failure `to` is removed and the error rethrown.
 */
export function copyPrivately(from: string, to: string): void {
  try {
    using source = Deno.openSync(from, { read: true });
    using target = Deno.openSync(to, { createNew: true, write: true, mode: FILE_MODE });
    const buffer = new Uint8Array(1 << 20);
    for (let n = source.readSync(buffer); n !== null; n = source.readSync(buffer)) {
      for (let done = 0; done < n;) done += target.writeSync(buffer.subarray(done, n));
    }
    target.syncSync();
    makePrivate(to);
  } catch (error) {
    removeQuietly(to);
    throw error;
  }
}

/**
 * Move the finished file `temp` into `dir` under the first free name from
 * `nameFor(1)`, `nameFor(2)`, ...; returns the name. The name is claimed with
 * an exclusive create, so two writers in the same second never overwrite each other.
 */
export function placeInto(temp: string, dir: string, nameFor: (seq: number) => string): string {
  for (let seq = 1; seq < 10_000; seq++) {
    const name = nameFor(seq);
    try {
      Deno.openSync(`${dir}/${name}`, { createNew: true, write: true, mode: FILE_MODE }).close();
    } catch (error) {
      if (error instanceof Deno.errors.AlreadyExists) continue;
      throw error;
    }
    try {
      Deno.renameSync(temp, `${dir}/${name}`);
    } catch (error) {
      removeQuietly(`${dir}/${name}`);
      throw error;
    }
    syncDir(dir);
    return name;
  }
  throw new BackupError(`${dir} already holds 9,999 backups named ${nameFor(1)}`);
}
