/**
 * @module
 * Backups off the main thread. `node:sqlite`'s online backup and the check
 * of the copy both run synchronously: on a 35 MB database they hold the event
 * loop for about a quarter of a second, which every start (and "back up now")
 * would add to the requests waiting behind it. Here they run in a worker with
 * its own connection to the database file, and the app keeps answering.
 *
 * Deno 2.9 panics when it starts a thread while the process is out of file
 * descriptors (stalled connections can take them all, see SECURITY.md), so a
 * worker is started only with room to spare; otherwise the copy is made on
 * this thread, which is slower for the requests waiting but cannot crash.
 */

import { DatabaseSync } from "node:sqlite";
import { backupDatabase, BackupError, type BackupOptions, type BackupResult } from "./backup.ts";

/** Free file descriptors a new thread needs to start safely, with margin. */
const THREAD_ROOM = 64;

/** What the worker is asked: the database file, and the options that cross a thread. */
export interface BackgroundRequest {
  source: string;
  options: Omit<BackupOptions, "now" | "check" | "write">;
}

/** A backup written, and whether a worker thread wrote it (false: this thread, short of descriptors). */
export interface BackgroundResult extends BackupResult {
  onThread: boolean;
}

/** What the worker answers. */
export type BackgroundReply =
  | { ok: true; result: BackupResult }
  | { ok: false; message: string; diskFull: boolean };

/**
 * Back up the database file at `source` in a worker thread, as
 * `backupDatabase` would on a connection of its own. A failure rejects with
 * a `BackupError` carrying the worker's message (and a full disk's code).
 */
export function backupInBackground(
  source: string,
  options: BackgroundRequest["options"] & { signal?: AbortSignal },
): Promise<BackgroundResult> {
  const { signal, ...crossing } = options;
  if (signal?.aborted) return Promise.reject(new BackupError("Cardflow is stopping"));
  if (!roomForThread()) {
    return backupHere(source, crossing).then((result) => ({ ...result, onThread: false }));
  }
  const worker = new Worker(new URL("./backup_worker.ts", import.meta.url).href, {
    type: "module",
  });
  const { promise, resolve, reject } = Promise.withResolvers<BackgroundResult>();
  // Stopping Cardflow stops the copy; its temp file is hidden and never listed.
  const stop = () => {
    worker.terminate();
    reject(new BackupError("Cardflow stopped before the backup was written"));
  };
  signal?.addEventListener("abort", stop, { once: true });
  promise.finally(() => signal?.removeEventListener("abort", stop)).catch(() => {});
  worker.onmessage = (event: MessageEvent<BackgroundReply>) => {
    const reply = event.data;
    if (reply.ok) {
      // Dates cross the thread as Dates; the result is the worker's, as it listed it.
      resolve({ ...reply.result, onThread: true });
    } else {
      const cause = reply.diskFull ? { code: "ENOSPC" } : undefined;
      reject(new BackupError(reply.message, { cause }));
    }
    worker.terminate();
  };
  worker.onerror = (event) => {
    event.preventDefault();
    reject(new BackupError(`Could not back up ${source}: ${event.message}`));
    worker.terminate();
  };
  worker.postMessage({ source, options: crossing } satisfies BackgroundRequest);
  return promise;
}

/**
 * Whether the process has the file descriptors a new thread needs: found by
 * opening that many and closing them again. (Reading `/proc/self/fd` would
 * be exact, but Deno refuses it to every permission set short of
 * `--allow-all`, so under `-P=cardflow` it always said no.)
 */
export function roomForThread(): boolean {
  // Windows has no descriptor limit to run out of in this way.
  if (Deno.build.os === "windows") return true;
  const held: Deno.FsFile[] = [];
  try {
    for (let i = 0; i < THREAD_ROOM; i++) held.push(Deno.openSync("/dev/null"));
    return true;
  } catch {
    return false;
  } finally {
    for (const file of held) file.close();
  }
}

/** The same backup on this thread, on a connection of its own. */
async function backupHere(
  source: string,
  options: BackgroundRequest["options"],
): Promise<BackupResult> {
  let db: DatabaseSync | undefined;
  try {
    db = new DatabaseSync(source, { readOnly: true });
    return await backupDatabase(db, options);
  } catch (error) {
    if (error instanceof BackupError) throw error;
    throw new BackupError(`Could not back up ${source}: ${(error as Error).message}`, {
      cause: error,
    });
  } finally {
    db?.close();
  }
}
