/**
 * @module
 * The chat's routes: `/chat` (the whole conversation with a filter by role,
 * the panel's log a page at a time, the status light and model menu, and the
 * controls: commentary, clear, poke, undo, apply, dismiss, delete, edit,
 * regenerate, export) and `/ws`, the socket each page joins: frames from the
 * page are questions or "stop"; frames to the page are htmx swaps. Foreign
 * origins never get there: the security guard refuses their upgrade.
 */

import { Hono } from "hono";
import type { Context } from "hono";
import { upgradeWebSocket } from "hono/deno";
import { HTTPException } from "hono/http-exception";
import { ChatLog, EditMessage, EmptyHint, Formatted, Message } from "../components/chat.tsx";
import { NotFoundError } from "../lib/errors.ts";
import { readForm, text } from "../lib/form.ts";
import { type ModelInfo, sameModel } from "../lib/llm.ts";
import type { Deps } from "../web/deps.ts";
import { html, render } from "../web/shell.tsx";
import type { Asker, ChatHub } from "./hub_api.ts";

const ROLES = ["user", "assistant", "note", "operation", "proposal", "error"];

/** "llama3.2:latest · 3.2B llama · 2.0 GB": the name, then what the server told about it. */
function modelLabel(m: ModelInfo): string {
  const kind = [m.parameterSize, m.family].filter(Boolean).join(" ");
  const size = m.size ? `${(m.size / 1e9).toFixed(1)} GB` : "";
  return [m.name, kind, size].filter(Boolean).join(" · ");
}

function idOf(c: Context): number {
  const raw = c.req.param("id") ?? "";
  const id = /^\d{1,15}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(id)) throw new NotFoundError("chat", raw, "There is no such message.");
  return id;
}

/** Where the request's page is, for the assistant's context. */
function askerOf(c: Context): Asker {
  return { page: c.req.header("hx-current-url") };
}

/** Run an answer after the response; its failures are logged (they are in the chat already). */
function inBackground(deps: Deps, work: Promise<void>): void {
  work.catch((error) => deps.log.error("chat answer failed", error));
}

/** Chat routes, under `/chat`. */
export function chatRoutes(deps: Deps, hub: ChatHub): Hono {
  const { services } = deps;
  const profile = () => services.profiles.current().id ?? 0;
  const name = () => services.profiles.current().name;
  return new Hono()
    .get("/", (c) => {
      const role = c.req.query("role") ?? "";
      if (role && !ROLES.includes(role)) {
        throw new HTTPException(400, { message: `Unknown role "${role}".` });
      }
      const messages = hub.conversation.all(profile(), role || undefined);
      return render(
        c,
        deps,
        <section class="card" id="conversation">
          <h1>Conversation</h1>
          <p class="muted">
            The conversation of the profile “{name()}”: at most {deps.config.chatHistory}{" "}
            messages are kept. <a href="/chat/export.md" download>Markdown</a> ·{" "}
            <a href="/chat/export.json" download>JSON</a>
          </p>
          <form
            class="inline"
            hx-get="/chat"
            hx-target="#main"
            hx-push-url="true"
            hx-trigger="change"
          >
            <label>
              Show
              <select name="role">
                <option value="">every role</option>
                {ROLES.map((r) => <option value={r} selected={r === role}>{r}</option>)}
              </select>
            </label>
          </form>
          <table class="data">
            <tbody>
              {messages.map((m) => (
                <tr class={`msg-${m.role}`}>
                  <td>
                    <strong>{m.role}</strong>
                    <br />
                    <span class="muted">{m.created.slice(0, 19).replace("T", " ")}</span>
                  </td>
                  <td>
                    <Formatted text={m.content} />
                  </td>
                </tr>
              ))}
              {messages.length === 0 && (
                <tr>
                  <td class="muted">No messages.</td>
                </tr>
              )}
            </tbody>
          </table>
        </section>,
        { title: "Conversation" },
      );
    })
    .get("/log", (c) => {
      const before = c.req.query("before");
      const page = hub.page(before && /^\d+$/.test(before) ? Number(before) : undefined);
      if (!before && page.messages.length === 0) return html(c, <EmptyHint />);
      return html(c, <ChatLog messages={page.messages} earlier={page.earlier} />);
    })
    .get("/export.json", (c) => {
      const messages = hub.conversation.all(profile()).map((m) => ({
        id: m.id,
        role: m.role,
        content: m.content,
        created: m.created,
        ...(m.meta.tool ? { tool: m.meta.tool } : {}),
      }));
      c.header("Content-Disposition", 'attachment; filename="cardflow-conversation.json"');
      return c.json({ profile: name(), exported: new Date().toISOString(), messages });
    })
    .get("/export.md", (c) => {
      const who: Record<string, string> = {
        user: "You",
        assistant: "Assistant",
        note: "Note",
        operation: "Done",
        proposal: "Proposed",
        error: "Error",
      };
      const lines = [`# Conversation: ${name()}`, ""];
      for (const m of hub.conversation.all(profile())) {
        lines.push(`## ${who[m.role] ?? m.role} · ${m.created.slice(0, 19).replace("T", " ")}`);
        lines.push("", m.content, "");
      }
      c.header("Content-Type", "text/markdown; charset=utf-8");
      c.header("Content-Disposition", 'attachment; filename="cardflow-conversation.md"');
      return c.body(lines.join("\n"));
    })
    .get("/status", async (c) => {
      let models: ModelInfo[] = [];
      let problem: string | undefined;
      try {
        models = await hub.llm.models();
      } catch (error) {
        problem = (error as Error).message;
      }
      const model = hub.model();
      // `llama3.2` and `llama3.2:latest` are one model to Ollama, so they are one here.
      const listed = models.some((m) => sameModel(m.name, model));
      const ok = !problem && listed;
      const server = hub.llm.api === "openai" ? "The model server" : "Ollama";
      const title = problem ??
        (ok ? `${server} at ${hub.llm.host} is answering` : `The model "${model}" is not pulled`);
      return html(
        c,
        <>
          <span
            class={`light ${problem ? "down" : ok ? "up" : "warn"}`}
            title={title}
            role="img"
            aria-label={title}
          >
          </span>
          <select
            name="model"
            hx-post="/chat/model"
            hx-swap="none"
            aria-label="Model"
            title={title}
          >
            {[...(listed ? [] : [{ name: model }]), ...models].map((m) => (
              <option value={m.name} selected={sameModel(m.name, model)}>{modelLabel(m)}</option>
            ))}
          </select>
          <label class="check commentary" title="After each workflow step, a one-line comment">
            <input
              type="checkbox"
              name="on"
              checked={services.store.get("chat.commentary", false)}
              hx-post="/chat/commentary"
              hx-swap="none"
            />{" "}
            Comment on my steps
          </label>
        </>,
      );
    })
    .post("/model", async (c) => {
      const model = text(await readForm(c), "model").trim();
      if (!/^[\w.:\-\/]{1,100}$/.test(model)) {
        throw new HTTPException(422, { message: "That is not a model name." });
      }
      hub.setModel(model);
      return c.body(null, 204);
    })
    .post("/commentary", async (c) => {
      const on = text(await readForm(c), "on") === "on";
      services.store.set("chat.commentary", on);
      return c.body(null, 204);
    })
    .post("/clear", (c) => {
      hub.clear();
      return c.body(null, 204);
    })
    .post("/poke", async (c) => {
      const where = text(await readForm(c), "where").slice(0, 200) || "the home page";
      if (hub.busy()) {
        throw new HTTPException(409, { message: "The assistant is still answering." });
      }
      inBackground(deps, hub.poke(where));
      return c.body(null, 202);
    })
    .post("/undo/:id", (c) => {
      hub.undo(idOf(c));
      return c.body(null, 204);
    })
    .post("/apply/:id", (c) => {
      hub.apply(idOf(c));
      return c.body(null, 204);
    })
    .post("/dismiss/:id", (c) => {
      hub.dismiss(idOf(c));
      return c.body(null, 204);
    })
    .get("/message/:id", (c) => {
      const message = hub.view(idOf(c));
      if (!message) throw new NotFoundError("chat", c.req.param("id"), "There is no such message.");
      return html(c, <Message message={message} />);
    })
    .get("/message/:id/edit", (c) => {
      const message = hub.view(idOf(c));
      if (!message || message.role !== "user") {
        throw new NotFoundError("chat", c.req.param("id"), "Only your own messages can be edited.");
      }
      return html(c, <EditMessage message={message} />);
    })
    .post("/message/:id/edit", async (c) => {
      const question = text(await readForm(c), "message");
      inBackground(deps, hub.edit(idOf(c), question, askerOf(c)));
      return c.body(null, 202);
    })
    .post("/message/:id/delete", (c) => {
      hub.remove(idOf(c));
      return c.body(null, 204);
    })
    .post("/regenerate", (c) => {
      inBackground(deps, hub.regenerate(askerOf(c)));
      return c.body(null, 202);
    });
}

/** Frames larger than this are ignored (a message is at most 8,000 characters). */
const MAX_FRAME = 64 * 1024;

/** The chat socket, under `/ws`. */
export function socketRoutes(deps: Deps, hub: ChatHub): Hono {
  return new Hono().get(
    "/",
    upgradeWebSocket(() => {
      let leave: (() => void) | undefined;
      let onStop: (() => void) | undefined;
      let peer: { send(data: string): void; close(code: number, reason: string): void };
      return {
        onOpen(_event, socket) {
          peer = {
            send: (data) => socket.send(data),
            close: (code, reason) => socket.close(code, reason),
          };
          leave = hub.join(peer);
          onStop = () => socket.close(1001, "Cardflow is stopping");
          deps.signal.addEventListener("abort", onStop, { once: true });
        },
        onMessage(event) {
          if (typeof event.data !== "string" || event.data.length > MAX_FRAME) return;
          hub.receive(event.data, peer).catch((error) =>
            deps.log.error("chat message failed", error)
          );
        },
        onClose() {
          leave?.();
          if (onStop) deps.signal.removeEventListener("abort", onStop);
        },
      };
    }),
  );
}
