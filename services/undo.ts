/**
 * @module
 * Undo for the page: the operation that reverses a change the person made
 * is kept here, under a random token, and the page shows an Undo button
 * that sends back only that token. A browser never sends an operation to
 * run, so an undo can do nothing the person's own change did not make
 * undoable. Kept in memory with the services of one database (a switch or
 * a restart forgets them, as it forgets the pages that showed them): at
 * most {@linkcode UNDO_KEEP}, each for {@linkcode UNDO_TTL_MS}, each usable
 * once, and only in the profile it was made in. Memory, not a table,
 * because keeping one must not cost the change it belongs to a second write.
 */

import { ConflictError, NotFoundError } from "../lib/errors.ts";
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
  /** Make a change and keep its undo; the outcome carries the token. */
  track(change: () => CrudOutcome): CrudOutcome & { token?: string };
  /** Run the operation kept under `token` and forget it; what was undone, and how that went. */
  run(token: string): { undone: string; outcome: CrudOutcome };
  /** How many are kept now. */
  size(): number;
}

/** Options for {@linkcode createUndo}. */
export interface UndoOptions {
  crud: () => CrudRegistry;
  /** The current profile's id (null without a Profiles app). */
  profileId(): number | null;
  /** The clock, for tests. */
  now?: () => number;
}

interface Kept {
  created: number;
  profileId: number | null;
  message: string;
  op: CrudOperation;
}

function token(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_")
    .replace(/=+$/, "");
}

/** The undo keeper of one database's services. */
export function createUndo(options: UndoOptions): Undo {
  const now = options.now ?? Date.now;
  // Insertion order is age order: the first entries are the oldest.
  const kept = new Map<string, Kept>();
  const gone = () => new NotFoundError("undo", undefined, "That change can no longer be undone.");

  function keep(op: CrudOperation, message: string): string {
    const key = token();
    kept.set(key, { created: now(), profileId: options.profileId(), message, op });
    for (const [old, entry] of kept) {
      if (kept.size <= UNDO_KEEP && entry.created >= now() - UNDO_TTL_MS) break;
      kept.delete(old);
    }
    return key;
  }

  return {
    keep,
    track(change) {
      const outcome = change();
      return outcome.undo ? { ...outcome, token: keep(outcome.undo, outcome.message) } : outcome;
    },
    run(key) {
      if (!TOKEN.test(key)) throw gone();
      const entry = kept.get(key);
      if (!entry || entry.created < now() - UNDO_TTL_MS) throw gone();
      if (entry.profileId !== options.profileId()) {
        throw new ConflictError(
          "That change was made in another profile: switch back to it to undo it.",
        );
      }
      // Forgotten first: an undo that fails (the record changed since) is not offered twice.
      kept.delete(key);
      const outcome = options.crud().execute(entry.op, "ui");
      return { undone: entry.message, outcome };
    },
    size: () => kept.size,
  };
}
