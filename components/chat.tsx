/**
 * @module
 * The chat panel, pure: the status line, the conversation, the input with
 * send and stop, and one message. Model text is rendered by
 * {@linkcode Formatted}: paragraphs, lists and code from escaped text, never
 * HTML from the model.
 */

import type { Child } from "hono/jsx";

/** A message as the panel shows it. */
export interface MessageView {
  id: number;
  role: string;
  content: string;
  /** Offer "Undo" for an operation the assistant ran. */
  undoable?: boolean;
}

/** Simple formatting of untrusted text: code fences, bullet and numbered lists, paragraphs. */
export function Formatted(props: { text: string }) {
  const blocks: Child[] = [];
  const parts = props.text.split(/```[^\n]*\n?/);
  parts.forEach((part, i) => {
    if (i % 2 === 1) {
      blocks.push(<pre><code>{part.replace(/\n$/, "")}</code></pre>);
      return;
    }
    for (const para of part.split(/\n{2,}/)) {
      const lines = para.split("\n").filter((l) => l.trim() !== "");
      if (lines.length === 0) continue;
      if (lines.every((l) => /^\s*[-*] /.test(l))) {
        blocks.push(<ul>{lines.map((l) => <li>{l.replace(/^\s*[-*] /, "")}</li>)}</ul>);
      } else if (lines.every((l) => /^\s*\d+[.)] /.test(l))) {
        blocks.push(<ol>{lines.map((l) => <li>{l.replace(/^\s*\d+[.)] /, "")}</li>)}</ol>);
      } else {
        blocks.push(<p>{lines.map((l, j) => <>{j > 0 && <br />}{l}</>)}</p>);
      }
    }
  });
  return <>{blocks}</>;
}

/** One message of the conversation. */
export function Message(props: { message: MessageView; streaming?: boolean }) {
  const m = props.message;
  return (
    <div id={`msg-${m.id}`} class={`msg msg-${m.role}`} data-role={m.role}>
      <div class="body">{props.streaming ? m.content : <Formatted text={m.content} />}</div>
      {m.undoable && (
        <button type="button" class="link" hx-post={`/chat/undo/${m.id}`} hx-swap="none">
          Undo
        </button>
      )}
    </div>
  );
}

/** The conversation so far (loaded by the panel after the page, so pages stay cheap). */
export function ChatLog(props: { messages: MessageView[] }) {
  return <>{props.messages.map((m) => <Message message={m} />)}</>;
}

/** The whole panel; the socket opens and the recent conversation loads once the page is up. */
export function ChatPanel() {
  return (
    <div id="chat-panel" hx-ws:connect="/ws">
      <div class="chat-head">
        <span
          id="chat-status"
          hx-get="/chat/status"
          hx-trigger="load, every 20s"
          hx-swap="innerHTML"
        >
          <span class="light unknown" aria-hidden="true"></span> Assistant
        </span>
        <a href="/chat" hx-get="/chat" hx-target="#main" hx-push-url="true">History</a>
        <button
          type="button"
          class="link"
          hx-post="/chat/clear"
          hx-swap="none"
          hx-confirm="Clear the conversation?"
        >
          Clear
        </button>
      </div>
      <div
        id="chat-log"
        aria-live="polite"
        hx-get="/chat/log"
        hx-trigger="load"
        hx-swap="afterbegin"
      >
      </div>
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
