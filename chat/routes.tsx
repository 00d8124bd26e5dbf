/**
 * @module
 * The chat's routes: `/chat` (the stored conversation with a filter by
 * role, and the panel's HTTP controls — status light and model menu, model
 * choice, clear, poke and undo of an operation the assistant ran) and
 * `/ws`, the socket each page joins: frames from the page are questions or
 * "stop"; frames to the page are htmx swaps. Foreign origins never get
 * there: the security guard refuses their upgrade.
 */

import { Hono } from "hono";
import { upgradeWebSocket } from "hono/deno";
import { HTTPException } from "hono/http-exception";
import { ChatLog, Formatted } from "../components/chat.tsx";
import { readForm, text } from "../lib/form.ts";
import type { Deps } from "../web/deps.ts";
import { html, render } from "../web/shell.tsx";
import { type ModelInfo, sameModel } from "../lib/llm.ts";
import type { ChatHub } from "./hub.tsx";

const ROLES = ["system", "user", "assistant", "note", "operation", "error"];

/** "llama3.2:latest · 3.2B llama · 2.0 GB": the name, then what the server told about it. */
function modelLabel(m: ModelInfo): string {
  const kind = [m.parameterSize, m.family].filter(Boolean).join(" ");
  const size = m.size ? `${(m.size / 1e9).toFixed(1)} GB` : "";
  return [m.name, kind, size].filter(Boolean).join(" · ");
}

/** Chat routes, under `/chat`. */
export function chatRoutes(deps: Deps, hub: ChatHub): Hono {
  const { services } = deps;
  return new Hono()
    .get("/", (c) => {
      const role = c.req.query("role") ?? "";
      if (role && !ROLES.includes(role)) {
        throw new HTTPException(400, { message: `Unknown role "${role}".` });
      }
      const messages = hub.history.all(role || undefined);
      return render(
        c,
        deps,
        <section class="card" id="conversation">
          <h1>Conversation</h1>
          <p class="muted">
            The stored conversation: at most {deps.config.chatHistory}{" "}
            messages, the system message always kept.
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
    .get("/log", (c) => html(c, <ChatLog messages={hub.recent()} />))
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
      const title = problem ??
        (ok ? `Ollama at ${hub.llm.host} is answering` : `The model "${model}" is not pulled`);
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
          <label class="check" title="After each workflow step, the assistant adds a short comment">
            <input
              type="checkbox"
              name="on"
              checked={services.store.get("chat.commentary", false)}
              hx-post="/chat/commentary"
              hx-swap="none"
            />{" "}
            comment
          </label>
        </>,
      );
    })
    .post("/model", async (c) => {
      const name = text(await readForm(c), "model").trim();
      if (!/^[\w.:\-\/]{1,100}$/.test(name)) {
        throw new HTTPException(422, { message: "That is not a model name." });
      }
      hub.setModel(name);
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
      hub.poke(where).catch((error) => deps.log.error("poke failed", error));
      return c.body(null, 202);
    })
    .post("/undo/:id", (c) => {
      hub.undo(Number(c.req.param("id")));
      return c.body(null, 204);
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
