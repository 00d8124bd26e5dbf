/**
 * @module
 * The chat's conversation, persisted in SQLite and bounded: at most `limit`
 * messages, the system message always kept, the oldest others dropped
 * first. It survives a restart; "clear" keeps only the system message.
 */

import { type Db, transaction } from "../lib/db.ts";
import { defineTable, type Row } from "../lib/table.ts";
import type { CrudOperation } from "./events.ts";

const SCHEMA = {
  id: "int",
  role: "text",
  content: "text",
  created: "text",
  /** For an operation the assistant ran: how to undo it, until it is undone. */
  undo: "json?",
} as const;

/** A stored message. `note` is Cardflow's own commentary; `operation` a CRUD action the assistant ran. */
export type ChatMessage = Omit<Row<typeof SCHEMA>, "role" | "undo"> & {
  role: "system" | "user" | "assistant" | "note" | "operation" | "error";
  undo: CrudOperation | null;
};

/** The bounded conversation. */
export interface Conversation {
  /** Set the system message (created once, then updated). */
  setSystem(content: string): void;
  system(): ChatMessage | undefined;
  add(role: ChatMessage["role"], content: string, undo?: CrudOperation): ChatMessage;
  /** Replace a message's text (a streamed answer as it grows). */
  update(id: number, content: string): void;
  find(id: number): ChatMessage | undefined;
  remove(id: number): void;
  clearUndo(id: number): void;
  /** The newest `n` messages other than the system message, oldest first. */
  recent(n?: number): ChatMessage[];
  all(role?: string): ChatMessage[];
  clear(): void;
}

/** Open the conversation in `db`, keeping at most `limit` messages. */
export function createConversation(db: Db, limit: number): Conversation {
  const table = defineTable(db, "chat", SCHEMA, { pk: "id" });
  const trim = db.prepare(
    `DELETE FROM chat WHERE role != 'system' AND id NOT IN
       (SELECT id FROM chat WHERE role != 'system' ORDER BY id DESC LIMIT ?)`,
  );
  const as = (row: Row<typeof SCHEMA> | undefined) => row as ChatMessage | undefined;
  const now = () => new Date().toISOString();

  return {
    setSystem(content) {
      const existing = table.list({ where: { role: "system" }, limit: 1 })[0];
      if (existing) table.update(existing.id, { content });
      else table.insert({ role: "system", content, created: now(), undo: null });
    },
    system: () => as(table.list({ where: { role: "system" }, limit: 1 })[0]),
    add(role, content, undo) {
      return transaction(db, () => {
        const row = table.insert({ role, content, created: now(), undo: undo ?? null });
        const hasSystem = table.count({ role: "system" }) > 0;
        trim.run(Math.max(1, limit - (hasSystem ? 1 : 0)));
        return as(row)!;
      });
    },
    update(id, content) {
      if (table.find(id)) table.update(id, { content });
    },
    find: (id) => as(table.find(id)),
    remove(id) {
      if (table.find(id)) table.delete(id);
    },
    clearUndo(id) {
      if (table.find(id)) table.update(id, { undo: null });
    },
    recent(n = 50) {
      return (table.list({ order: "-id", limit: n + 1 }) as ChatMessage[])
        .filter((m) => m.role !== "system").slice(0, n).reverse();
    },
    all(role) {
      return table.list({ where: role ? { role } : {}, order: "id" }) as ChatMessage[];
    },
    clear() {
      db.prepare("DELETE FROM chat WHERE role != 'system'").run();
    },
  };
}
