/**
 * @module
 * The chat panel, pure: its header, the conversation, the input with send
 * and stop, and each kind of message — the person's, the assistant's
 * (Markdown, with the card rules: no HTML from the model, safe links, no
 * images), an operation the assistant ran (what was asked, what came back,
 * Undo), a proposal waiting for Apply, workflow notes folded per run, and
 * errors.
 */

import type { Child } from "hono/jsx";
import { Markdown } from "./markdown.tsx";

/** A message as the panel shows it. */
export interface MessageView {
  id: number;
  role: string;
  content: string;
  /** Offer "Undo" (an operation the assistant ran, or the summary of an answer's changes). */
  undoable?: boolean;
  /** For a tool entry: what the model asked and what came back. */
  tool?: { name: string; args: unknown; result: string };
  /** For a proposal: whether it is still waiting, applied or dismissed. */
  proposal?: "open" | "applied" | "undone" | "dismissed";
  /** The newest answer: it can be regenerated. */
  last?: boolean;
}

/** Plain text as paragraphs and line breaks (the person's own words, shown as typed). */
export function Formatted(props: { text: string }) {
  const blocks: Child[] = [];
  for (const para of props.text.split(/\n{2,}/)) {
    const lines = para.split("\n");
    if (lines.every((l) => l.trim() === "")) continue;
    blocks.push(<p>{lines.map((l, j) => <>{j > 0 && <br />}{l}</>)}</p>);
  }
  return <>{blocks}</>;
}

function Actions(props: { children?: Child }) {
  return <div class="msg-actions">{props.children}</div>;
}

function CopyButton() {
  return (
    <button type="button" class="link" data-copy="message" aria-label="Copy this message">
      Copy
    </button>
  );
}

function DeleteButton(props: { id: number }) {
  return (
    <button
      type="button"
      class="link"
      hx-post={`/chat/message/${props.id}/delete`}
      hx-swap="none"
      aria-label="Delete this message"
    >
      Delete
    </button>
  );
}

function UndoButton(props: { id: number; label?: string }) {
  return (
    <button type="button" class="link" hx-post={`/chat/undo/${props.id}`} hx-swap="none">
      {props.label ?? "Undo"}
    </button>
  );
}

/** A tool's JSON result, indented for reading (as it came when it is not JSON). */
function readable(result: string): string {
  try {
    return JSON.stringify(JSON.parse(result), null, 2);
  } catch {
    return result;
  }
}

function ToolEntry(props: { message: MessageView }) {
  const m = props.message;
  return (
    <details id={`msg-${m.id}`} class="msg msg-operation" data-role={m.role}>
      <summary>
        <span class="body">{m.content}</span>
        {m.undoable && <UndoButton id={m.id} />}
      </summary>
      {m.tool && (
        <dl class="tool">
          <dt>Asked</dt>
          <dd>
            <code>{m.tool.name} {JSON.stringify(m.tool.args)}</code>
          </dd>
          <dt>Came back</dt>
          <dd>
            <pre>{readable(m.tool.result)}</pre>
          </dd>
        </dl>
      )}
    </details>
  );
}

function Note(props: { message: MessageView }) {
  const m = props.message;
  const lines = m.content.split("\n");
  if (lines.length === 1) {
    return (
      <div id={`msg-${m.id}`} class="msg msg-note" data-role={m.role}>
        <div class="body">{m.content}</div>
      </div>
    );
  }
  return (
    <details id={`msg-${m.id}`} class="msg msg-note" data-role={m.role}>
      <summary class="body">
        {lines.at(-1)} <span class="muted">({lines.length} notes)</span>
      </summary>
      <ul>{lines.map((line) => <li>{line}</li>)}</ul>
    </details>
  );
}

function Proposal(props: { message: MessageView }) {
  const m = props.message;
  return (
    <div id={`msg-${m.id}`} class="msg msg-proposal" data-role={m.role} role="group">
      <div class="body">
        <Formatted text={m.content} />
      </div>
      {m.proposal === "open"
        ? (
          <Actions>
            <button type="button" class="danger" hx-post={`/chat/apply/${m.id}`} hx-swap="none">
              Apply
            </button>
            <button
              type="button"
              class="secondary"
              hx-post={`/chat/dismiss/${m.id}`}
              hx-swap="none"
            >
              Dismiss
            </button>
          </Actions>
        )
        : (
          <p class="muted">
            {m.proposal === "applied"
              ? "Applied."
              : m.proposal === "undone"
              ? "Applied, then undone."
              : "Dismissed: nothing was done."}
          </p>
        )}
      {m.undoable && <UndoButton id={m.id} />}
    </div>
  );
}

/** One message of the conversation. */
export function Message(props: { message: MessageView; streaming?: boolean }) {
  const m = props.message;
  if (m.role === "operation") return <ToolEntry message={m} />;
  if (m.role === "note") return <Note message={m} />;
  if (m.role === "proposal") return <Proposal message={m} />;
  const body = props.streaming
    ? m.content
    : m.role === "assistant"
    ? <Markdown text={m.content} chat />
    : <Formatted text={m.content} />;
  return (
    <div id={`msg-${m.id}`} class={`msg msg-${m.role}`} data-role={m.role}>
      <div class="body">{body}</div>
      {!props.streaming && (m.role === "user" || m.role === "assistant") && (
        <>
          <template class="raw">{m.content}</template>
          <Actions>
            <CopyButton />
            {m.role === "user" && (
              <button
                type="button"
                class="link"
                hx-get={`/chat/message/${m.id}/edit`}
                hx-target={`#msg-${m.id}`}
                hx-swap="outerHTML"
                aria-label="Edit and send again"
              >
                Edit
              </button>
            )}
            {m.role === "assistant" && m.last && (
              <button
                type="button"
                class="link"
                hx-post="/chat/regenerate"
                hx-swap="none"
                aria-label="Answer again"
              >
                Regenerate
              </button>
            )}
            <DeleteButton id={m.id} />
          </Actions>
        </>
      )}
      {m.undoable && <UndoButton id={m.id} label="Undo all" />}
    </div>
  );
}

/** The person's message being edited: send again replaces it and everything after it. */
export function EditMessage(props: { message: MessageView }) {
  const m = props.message;
  return (
    <form
      id={`msg-${m.id}`}
      class="msg msg-user editing"
      hx-post={`/chat/message/${m.id}/edit`}
      hx-swap="none"
    >
      <textarea name="message" rows={3} maxlength={8000} aria-label="Edit your message" autofocus>
        {m.content}
      </textarea>
      <p class="muted">Sending again replaces this message and everything after it.</p>
      <Actions>
        <button type="submit">Send again</button>
        <button
          type="button"
          class="secondary"
          hx-get={`/chat/message/${m.id}`}
          hx-target={`#msg-${m.id}`}
          hx-swap="outerHTML"
        >
          Cancel
        </button>
      </Actions>
    </form>
  );
}

/** What the assistant can do, shown while the conversation is empty. */
export function EmptyHint() {
  return (
    <div class="chat-empty muted">
      <p>Ask the assistant about the page you are on, or ask it to do things for you:</p>
      <ul>
        <li>“Add a task to buy milk”, “what is left on my list?”, “tick off the milk”</li>
        <li>“Start a hello run for Ada” — it fills in the steps you ask for</li>
        <li>“What does this step need?” on a workflow page</li>
      </ul>
      <p>
        Every change it makes has an Undo; it deletes or finalizes nothing until you click Apply.
      </p>
    </div>
  );
}

/** The conversation so far: the newest messages, and a button for the ones before them. */
export function ChatLog(props: { messages: MessageView[]; earlier?: number }) {
  return (
    <>
      {props.earlier !== undefined && (
        <button
          type="button"
          class="link earlier"
          hx-get={`/chat/log?before=${props.earlier}`}
          hx-target="this"
          hx-swap="outerHTML"
        >
          Show earlier messages
        </button>
      )}
      {props.messages.map((m) => <Message message={m} />)}
    </>
  );
}

/** The whole panel; the socket opens and the recent conversation loads once the page is up. */
export function ChatPanel() {
  return (
    <div id="chat-panel" hx-ws:connect="/ws">
      <div class="chat-head">
        <h2 class="chat-title">Assistant</h2>
        <details class="chat-menu">
          <summary title="The conversation: see it whole, export it, clear it">More</summary>
          <ul class="menu-popup">
            <li>
              <a href="/chat" hx-get="/chat" hx-target="#main" hx-push-url="true">
                Whole conversation
              </a>
            </li>
            <li>
              <a href="/chat/export.md" download>Export as Markdown</a>
            </li>
            <li>
              <a href="/chat/export.json" download>Export as JSON</a>
            </li>
            <li>
              <button
                type="button"
                class="link danger"
                hx-post="/chat/clear"
                hx-swap="none"
                hx-confirm="Clear this profile's conversation?"
              >
                Clear the conversation
              </button>
            </li>
          </ul>
        </details>
        <span
          id="chat-status"
          hx-get="/chat/status"
          hx-trigger="load, every 20s"
          hx-swap="innerHTML"
        >
          <span class="light unknown" aria-hidden="true"></span>
        </span>
      </div>
      <div
        id="chat-log"
        aria-live="polite"
        hx-get="/chat/log"
        hx-trigger="load"
        hx-swap="innerHTML"
      >
      </div>
      <div id="chat-thinking" hidden></div>
      <form id="chat-form" hx-ws:send>
        <textarea
          name="message"
          rows={2}
          placeholder="Ask the assistant… (Enter sends, Shift+Enter breaks a line)"
          aria-label="Message"
          maxlength={8000}
        >
        </textarea>
        <div class="actions">
          <button type="submit">Send</button>
          <button
            type="button"
            id="chat-stop"
            class="secondary"
            hx-ws:send
            hx-vals='{"action": "stop"}'
          >
            Stop
          </button>
        </div>
      </form>
    </div>
  );
}
