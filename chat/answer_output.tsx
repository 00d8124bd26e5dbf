/**
 * @module
 * Where one answer's output goes: each token to every page at once (escaped
 * text), the answer's Markdown re-rendered every 400 ms or more (backing off
 * when rendering costs more) and saved every 2 s, tool calls as entries with
 * their Undo or their Apply, notices as messages.
 */

import { Markdown } from "../components/markdown.tsx";
import { escapeHtml } from "../lib/html.ts";
import type { Logger } from "../lib/log.ts";
import type { ChatMessage, Conversation, MessageMeta, Role } from "../services/conversation.ts";
import type { Operation } from "../services/events.ts";
import type { AnswerOutput } from "./answer.ts";

/** Re-render a streaming answer's Markdown at most this often. */
const RENDER_EVERY_MS = 400;

/** Save a streaming answer at most this often (it is saved whole when it ends). */
const SAVE_EVERY_MS = 2000;

/** What the output of one answer writes to: the hub's conversation and its pages. */
export interface OutputTarget {
  conversation: Conversation;
  /** The profile the answer belongs to. */
  profile: number;
  /** The number tying this answer's messages together. */
  answer: number;
  /** Collects the undo of every change the answer made. */
  changes: Operation[];
  log: Logger;
  send(frame: { target: string; swap: string; content: string }): void;
  append(m: ChatMessage, streaming?: boolean): void;
  replace(id: number): void;
  drop(id: number): void;
  say(role: Role, content: string, extras?: { undo?: Operation[]; meta?: MessageMeta }): void;
}

/** The output of one answer into `d`. */
export function answerOutput(d: OutputTarget): AnswerOutput {
  const contents = new Map<number, string>();
  // When each message may next be re-rendered, and when it was last saved.
  const rendered = new Map<number, number>();
  const saved = new Map<number, number>();
  return {
    thinking(on) {
      d.send({
        target: "#chat-thinking",
        swap: "outerHTML",
        content: on
          ? '<div id="chat-thinking" class="msg msg-thinking" role="status">The assistant is thinking…</div>'
          : '<div id="chat-thinking" hidden></div>',
      });
    },
    open() {
      const m = d.conversation.add(d.profile, "assistant", "", { meta: { answer: d.answer } });
      contents.set(m.id, "");
      rendered.set(m.id, Date.now() + RENDER_EVERY_MS);
      saved.set(m.id, Date.now());
      d.append(m, true);
      return m.id;
    },
    token(id, piece) {
      const so = (contents.get(id) ?? "") + piece;
      contents.set(id, so);
      // The token goes out first: nothing on this path may wait for rendering or saving.
      d.send({ target: `#msg-${id} .body`, swap: "beforeend", content: escapeHtml(piece) });
      const now = Date.now();
      if (now - (saved.get(id) ?? 0) > SAVE_EVERY_MS) {
        saved.set(id, now);
        d.conversation.update(id, { content: so });
      }
      if (now < (rendered.get(id) ?? 0)) return;
      const started = performance.now();
      d.send({
        target: `#msg-${id} .body`,
        swap: "innerHTML",
        content: String(<Markdown text={so} chat />),
      });
      // A long answer costs more to render: back off so rendering stays a small share.
      const cost = performance.now() - started;
      rendered.set(id, Date.now() + Math.max(RENDER_EVERY_MS, cost * 50));
    },
    close(id, content, cut) {
      if (content === "") {
        d.conversation.remove(id);
        d.drop(id);
        return;
      }
      d.conversation.update(id, {
        content,
        meta: { ...(d.conversation.find(id)?.meta ?? {}), ...(cut ? { cut } : {}) },
      });
      d.replace(id);
    },
    tool(call, outcome) {
      if (outcome.undo) d.changes.push(outcome.undo);
      const meta: MessageMeta = {
        answer: d.answer,
        tool: { name: call.name, args: call.arguments, result: outcome.result },
      };
      if (outcome.proposal) {
        d.say("proposal", outcome.summary, {
          meta: { ...meta, proposal: { operation: outcome.proposal, state: "open" } },
        });
      } else {
        d.say("operation", outcome.summary, {
          ...(outcome.undo ? { undo: [outcome.undo] } : {}),
          meta,
        });
      }
      d.log.info(
        `assistant ${outcome.refused ? "was refused" : "ran"} ${call.name}`,
        { args: call.arguments, summary: outcome.summary },
      );
    },
    notice(kind, message) {
      d.say(kind, message);
    },
  };
}
