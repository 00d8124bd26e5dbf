/**
 * @module
 * The chat hub's contract: what the routes, the socket and the runtime call
 * (`ChatHub`), what it sends to (`ChatSocket`), and the bounds and close
 * reasons pages see. `chat/hub.tsx` builds one per database.
 */

import type { MessageView } from "../components/chat.tsx";
import type { Llm } from "../lib/llm.ts";
import type { Conversation } from "../services/conversation.ts";
import type { Retirement } from "../services/mod.ts";

/** Anything that can receive text frames: a WebSocket, or a test double. */
export interface ChatSocket {
  send(data: string): void;
  /** Close with a reason the page shows (its database went away: {@linkcode CLOSE_REASONS}). */
  close?(code: number, reason: string): void;
}

/** What a page sent with its message. */
export interface Asker {
  /** The socket it came from (refusals go there alone). */
  from?: ChatSocket;
  /** The URL of the page the person is on. */
  page?: string;
}

/** What routes and the socket use. */
export interface ChatHub {
  readonly llm: Llm;
  readonly conversation: Conversation;
  join(socket: ChatSocket): () => void;
  /**
   * Handle a frame from a page: `{message}` to ask, `{action: "stop"}` to
   * stop. A frame from a page of another database or profile is answered on
   * its socket alone, and changes nothing.
   */
  receive(data: string, from?: ChatSocket): Promise<void>;
  /** A person's message: stored, shown on every page, answered with tools. */
  ask(text: string, asker?: Asker): Promise<void>;
  /** A nudge about the page the person is on (no tools). */
  poke(where: string): Promise<void>;
  stop(): boolean;
  /** Undo what message `id` reports (a summary undoes the whole answer). */
  undo(id: number): string;
  /** Run the operation proposal `id` waits for. */
  apply(id: number): string;
  dismiss(id: number): void;
  remove(id: number): void;
  /**
   * Replace the person's message `id` and everything after it, and answer
   * again. Refusals throw at once; the promise is the answer.
   */
  edit(id: number, text: string, asker?: Asker): Promise<void>;
  /** Answer the last question again in place of the last answer (refusals throw at once). */
  regenerate(asker?: Asker): Promise<void>;
  clear(): void;
  /** The newest messages of the current profile (before `before`), and whether there are older. */
  page(before?: number): { messages: MessageView[]; earlier?: number };
  view(id: number): MessageView | undefined;
  model(): string;
  setModel(name: string): void;
  sockets(): number;
  busy(): boolean;
}

/** How many messages a page loads at first; older ones come on request. */
export const PAGE_MESSAGES = 50;

/** The longest message a person may send. */
export const MAX_QUESTION = 8000;

/**
 * Why a page's chat socket closes, by why its database went away: the page
 * shows it. Code 1012 (service restart) makes htmx reconnect, to the
 * database Cardflow uses then; a reason must stay within 123 bytes.
 */
export const CLOSE_REASONS: Readonly<Record<Retirement, string>> = {
  switch: "Cardflow switched to the other environment's database; the chat reconnects to it.",
  reset: "The development database was reset; the chat reconnects to the new one.",
  restore:
    "Cardflow closed this database to restore a backup; the chat reconnects to the one it uses now.",
  close: "Cardflow is stopping.",
};
