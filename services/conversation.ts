/**
 * @module
 * The chat's conversations, persisted in SQLite and bounded: one per
 * profile, each at most `limit` messages with the oldest dropped first, and
 * one system message shared by all. They survive a restart; "clear" empties
 * the current profile's conversation only.
 */

import { type Db, transaction } from "../lib/db.ts";
import { defineTable, type Row } from "../lib/table.ts";
import type { Operation } from "./events.ts";

const SCHEMA = {
  id: "int",
  role: "text",
  content: "text",
  created: "text",
  /** What undoes what this message reports (the assistant's changes), until it is undone. */
  undo: "json?",
  /** The profile whose conversation holds the message (0 for the shared system message). */
  profile_id: "int",
  /** What the panel needs beyond the text: see {@linkcode MessageMeta}. */
  meta: "json?",
} as const;

/** Who or what a message is from. */
export type Role =
  | "system"
  | "user"
  | "assistant"
  | "note"
  | "operation"
  | "proposal"
  | "error";

/** A message's extras. */
export interface MessageMeta {
  /** The assistant answer (its first message's id) an entry belongs to. */
  answer?: number;
  /** For notes: the run they are about, so consecutive notes of one run fold together. */
  run?: string;
  /** For a tool entry: what the model asked and what came back. */
  tool?: { name: string; args: unknown; result: string };
  /** For a proposal: the operation that runs only when the person clicks Apply. */
  proposal?: { operation: Operation; state: "open" | "applied" | "undone" | "dismissed" };
  /** The answer was cut short (too long, stopped, failed). */
  cut?: boolean;
}

/** A stored message. */
export type ChatMessage = Omit<Row<typeof SCHEMA>, "role" | "undo" | "meta"> & {
  role: Role;
  undo: Operation[] | null;
  meta: MessageMeta;
};

/** What to store besides role and text. */
export interface MessageExtras {
  undo?: Operation[];
  meta?: MessageMeta;
}

/** The bounded conversations of one database. */
export interface Conversation {
  /** Set the system message (created once, then updated). */
  setSystem(content: string): void;
  system(): ChatMessage | undefined;
  /** Add a message to `profile`'s conversation, trimming its oldest beyond the limit. */
  add(profile: number, role: Role, content: string, extras?: MessageExtras): ChatMessage;
  /** Change a message's text, extras or undo. */
  update(
    id: number,
    patch: { content?: string; meta?: MessageMeta; undo?: Operation[] | null },
  ): void;
  find(id: number): ChatMessage | undefined;
  remove(id: number): void;
  /** Remove every message of `profile` after `id` (an edited question replaces what followed). */
  removeAfter(profile: number, id: number): number;
  /** The newest `n` messages of `profile` (before message `before`, if given), oldest first. */
  recent(profile: number, n: number, before?: number): ChatMessage[];
  /** Every message of `profile`, oldest first, optionally of one role. */
  all(profile: number, role?: string): ChatMessage[];
  /** Empty `profile`'s conversation. */
  clear(profile: number): void;
  /** Give messages stored before conversations were per profile to `profile`. */
  adopt(profile: number): number;
}

function undoOf(stored: unknown): Operation[] | null {
  if (stored === null || stored === undefined) return null;
  // Cardflow 0.1 stored one operation, not a list.
  return Array.isArray(stored) ? stored as Operation[] : [stored as Operation];
}

/** Open the conversations in `db`, keeping at most `limit` messages per profile. */
export function createConversation(db: Db, limit: number): Conversation {
  const table = defineTable(db, "chat", SCHEMA, {
    pk: "id",
    defaults: { profile_id: 0 },
    indexes: [["profile_id", "id"]],
  });
  const trim = db.prepare(
    `DELETE FROM chat WHERE profile_id = ? AND role != 'system' AND id NOT IN
       (SELECT id FROM chat WHERE profile_id = ? AND role != 'system' ORDER BY id DESC LIMIT ?)`,
  );
  const as = (row: Row<typeof SCHEMA>): ChatMessage => ({
    ...row,
    role: row.role as Role,
    undo: undoOf(row.undo),
    meta: (row.meta ?? {}) as MessageMeta,
  });
  const now = () => new Date().toISOString();
  const systemRow = () => table.list({ where: { role: "system" }, limit: 1 })[0];

  return {
    setSystem(content) {
      const existing = systemRow();
      if (existing) table.update(existing.id, { content });
      else {
        table.insert({ role: "system", content, created: now(), undo: null, profile_id: 0 });
      }
    },
    system() {
      const row = systemRow();
      return row ? as(row) : undefined;
    },
    add(profile, role, content, extras = {}) {
      return transaction(db, () => {
        const row = table.insert({
          role,
          content,
          created: now(),
          undo: extras.undo ?? null,
          profile_id: profile,
          meta: extras.meta ?? null,
        });
        trim.run(profile, profile, Math.max(1, limit - 1));
        return as(row);
      });
    },
    update(id, patch) {
      if (!table.find(id)) return;
      table.update(id, {
        ...(patch.content !== undefined ? { content: patch.content } : {}),
        ...(patch.meta !== undefined ? { meta: patch.meta } : {}),
        ...(patch.undo !== undefined ? { undo: patch.undo } : {}),
      });
    },
    find(id) {
      const row = table.find(id);
      return row ? as(row) : undefined;
    },
    remove(id) {
      if (table.find(id)) table.delete(id);
    },
    removeAfter(profile, id) {
      const later = db.prepare(
        "DELETE FROM chat WHERE profile_id = ? AND id > ? AND role != 'system'",
      )
        .run(profile, id);
      return Number(later.changes);
    },
    recent(profile, n, before) {
      const rows = db.prepare(
        `SELECT * FROM chat WHERE profile_id = ? AND role != 'system' AND id < ?
           ORDER BY id DESC LIMIT ?`,
      ).all(profile, before ?? Number.MAX_SAFE_INTEGER, n) as Record<string, unknown>[];
      return rows.reverse().map((r) => as(table.get(r.id as number)));
    },
    all(profile, role) {
      return table.list({
        where: role ? { profile_id: profile, role } : { profile_id: profile },
        order: "id",
      }).filter((r) => r.role !== "system").map(as);
    },
    clear(profile) {
      db.prepare("DELETE FROM chat WHERE profile_id = ? AND role != 'system'").run(profile);
    },
    adopt(profile) {
      if (profile === 0) return 0;
      return Number(
        db.prepare("UPDATE chat SET profile_id = ? WHERE profile_id = 0 AND role != 'system'")
          .run(profile).changes,
      );
    },
  };
}
