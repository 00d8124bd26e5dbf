/**
 * @module
 * Undo for the page: the operation that reverses a change the person made
 * is kept here, under a random token, and the page shows an Undo button
 * that sends back only that token. A browser never sends an operation to
 * run, so an undo can do nothing the person's own change did not make
 * undoable. Kept per database in the `undo` table: at most
 * {@linkcode UNDO_KEEP} of them, each for {@linkcode UNDO_TTL_MS}, each
 * usable once, and only in the profile it was made in.
 */

import { type Db, transaction } from "../lib/db.ts";
import { ConflictError, NotFoundError } from "../lib/errors.ts";
import { defineTable } from "../lib/table.ts";
import type { CrudRegistry } from "./crud/registry.ts";
import type { CrudOperation, CrudOutcome } from "./events.ts";

/** How many undoable changes are kept; older ones are forgotten. */
export const UNDO_KEEP = 200;
/** How long a change stays undoable. */
export const UNDO_TTL_MS = 60 * 60 * 1000;

const TOKEN = /^[A-Za-z0-9_-]{22}$/;

/** The undoable changes of one database. */
export interface Undo {
  /** Keep `op`, which undoes the change `message` describes; returns the token for the page. */
  keep(op: CrudOperation, message: string): string;
  /** Run the operation kept under `token` and forget it; what was undone, and how that went. */
  run(token: string): { undone: string; outcome: CrudOutcome };
}

/** Options for {@linkcode createUndo}. */
export interface UndoOptions {
  crud: () => CrudRegistry;
  /** The current profile's id (null without a Profiles app). */
  profileId(): number | null;
  /** The clock, for tests. */
  now?: () => number;
}

function token(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_")
    .replace(/=+$/, "");
}

/** The undo table over `db`. */
export function createUndo(db: Db, options: UndoOptions): Undo {
  const now = options.now ?? Date.now;
  const table = defineTable(db, "undo", {
    token: "text",
    created: "int",
    profile_id: "int?",
    message: "text",
    op: "json",
  }, { pk: "token", indexes: [["created"]] });
  const prune = db.prepare(
    "DELETE FROM undo WHERE created < ? OR token NOT IN " +
      "(SELECT token FROM undo ORDER BY created DESC LIMIT ?)",
  );
  const gone = () => new NotFoundError("undo", undefined, "That change can no longer be undone.");

  return {
    keep(op, message) {
      const key = token();
      transaction(db, () => {
        table.insert({
          token: key,
          created: now(),
          profile_id: options.profileId(),
          message,
          op,
        });
        prune.run(now() - UNDO_TTL_MS, UNDO_KEEP);
      });
      return key;
    },
    run(key) {
      if (!TOKEN.test(key)) throw gone();
      return transaction(db, () => {
        const row = table.find(key);
        if (!row || row.created < now() - UNDO_TTL_MS) throw gone();
        if (row.profile_id !== options.profileId()) {
          throw new ConflictError(
            "That change was made in another profile: switch back to it to undo it.",
          );
        }
        table.delete(key);
        const outcome = options.crud().execute(row.op as CrudOperation, "ui");
        return { undone: row.message, outcome };
      });
    },
  };
}
