/**
 * @module
 * The worker thread behind {@linkcode backupInBackground}: it opens its own
 * read-only connection to the database file and runs `backupDatabase` there.
 * A worker's entry module must act on load: this one only listens.
 */

/// <reference lib="deno.worker" />

import { DatabaseSync } from "node:sqlite";
import { backupDatabase } from "./backup.ts";
import { isDiskFull } from "./errors.ts";
import type { BackgroundReply, BackgroundRequest } from "./backup_thread.ts";

self.onmessage = async (event: MessageEvent<BackgroundRequest>) => {
  const { source, options } = event.data;
  let reply: BackgroundReply;
  let db: DatabaseSync | undefined;
  try {
    // WAL lets this reader copy a consistent snapshot while the app keeps writing.
    db = new DatabaseSync(source, { readOnly: true });
    const result = await backupDatabase(db, options);
    reply = { ok: true, result };
  } catch (error) {
    reply = { ok: false, message: (error as Error).message, diskFull: isDiskFull(error) };
  } finally {
    db?.close();
  }
  self.postMessage(reply);
  self.close();
};
