/**
 * @module
 * Restore as a transaction of files, over whatever the runtime builds on a
 * database: inspect the backup read-only, close the database, swap the copy
 * in (the replaced file becomes a listed backup), build on it, and if the
 * build throws, put the previous file back and build on that again. The
 * caller's data is served either way; a refusal says what was wrong.
 */

import {
  BackupError,
  EmptyBackupError,
  inspectCandidate,
  type SchemaCheck,
  swapIn,
} from "../lib/backup.ts";
import type { Logger } from "../lib/log.ts";
import type { Environment } from "../services/events.ts";
import type { Restored } from "../web/deps.ts";

/** What {@linkcode restoreTransaction} works on. */
export interface RestoreStep {
  /** The backup to restore. */
  path: string;
  /** The database file it replaces. */
  target: string;
  backupDir: string;
  environment: Environment;
  /** Cardflow's schema rule (`services/restore_check.ts`). */
  check: SchemaCheck;
  /** Restore a backup without a single record (the person confirmed it). */
  allowEmpty: boolean;
  log: Logger;
  /** Close every connection to `target` (there may be none, at start-up). */
  close(): void;
  /** Build on `target` as it now is; throws if Cardflow cannot start on it. */
  open(): void;
  /** Build on the previous database again after a failure (nothing to do at start-up). */
  reopen(): void;
}

/** The name of the file at `path`. */
export function basename(path: string): string {
  return path.slice(Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\")) + 1);
}

/**
 * Restore `step.path` into `step.target`; throws `BackupError` (or
 * `EmptyBackupError`, which asks for confirmation) with the previous database
 * in place and open again.
 */
export function restoreTransaction(step: RestoreStep): Restored {
  const { path, target, environment, check, log } = step;
  const name = basename(path);
  const inspection = inspectCandidate(path, { check, allowEmpty: true });
  if (!inspection.ok) {
    throw new BackupError(`Nothing was restored: ${name} was refused: ${inspection.problem}.`);
  }
  if (inspection.rows === 0 && !step.allowEmpty) {
    throw new EmptyBackupError(
      `${name} holds no records: restoring it would empty the ${environment} database.`,
    );
  }
  step.close();
  let swap;
  try {
    swap = swapIn(path, target, { backupDir: step.backupDir, environment, check });
  } catch (error) {
    step.reopen();
    throw error;
  }
  try {
    step.open();
  } catch (error) {
    swap.rollback();
    step.reopen();
    const why = error instanceof Error ? error.message : String(error);
    // The reason is the whole story; a stack would only bury it (and print on --restore).
    log.warn(`restoring ${path} failed, the previous database is back: ${why}`);
    throw new BackupError(
      `Nothing was restored: Cardflow could not start on ${name}: ${why.replace(/\.$/, "")}. ` +
        `The previous database is back in place.`,
      { cause: error },
    );
  }
  const previous = swap.previous === undefined ? undefined : basename(swap.previous);
  log.info(
    `restored ${path} as the ${environment} database` +
      (previous ? `; the database it replaced is the backup ${previous}` : ""),
  );
  return { environment, from: name, previous, at: new Date() };
}
