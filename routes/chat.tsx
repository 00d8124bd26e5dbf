/**
 * @module
 * `/chat`: the stored conversation with a filter by role, and the panel's
 * HTTP controls — status light and model menu, model choice, clear, poke and
 * undo of an operation the assistant ran.
 */

import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { ChatLog, Formatted } from "@/components/chat.tsx";
import type { Deps } from "@/lib/deps.ts";
import { readForm, text } from "@/lib/form.ts";
import { LlmError } from "@/lib/llm.ts";
import { html, render } from "@/lib/shell.tsx";

const ROLES = ["system", "user", "assistant", "note", "operation", "error"];

/** Chat routes. */
export default function chat(deps: Deps): Hono {
  return new Hono()
    .get("/", (c) => {
      const role = c.req.query("role") ?? "";
      if (role && !ROLES.includes(role)) {
        throw new HTTPException(400, { message: `Unknown role "${role}".` });
      }
      const messages = deps.chat.history.all(role || undefined);
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
    .get("/log", (c) => html(c, <ChatLog messages={deps.chat.recent()} />))
    .get("/status", async (c) => {
      let models: string[] = [];
      let problem: string | undefined;
      try {
        models = await deps.llm.models();
      } catch (error) {
        problem = (error as Error).message;
      }
      const model = deps.chat.model();
      const ok = !problem && models.includes(model);
      const title = problem ??
        (ok ? `Ollama at ${deps.llm.host} is answering` : `The model "${model}" is not pulled`);
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
            {[...new Set([model, ...models])].map((m) => (
              <option value={m} selected={m === model}>{m}</option>
            ))}
          </select>
          <label class="check" title="After each workflow step, the assistant adds a short comment">
            <input
              type="checkbox"
              name="on"
              checked={deps.store.get("chat.commentary", false)}
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
      deps.chat.setModel(name);
      return c.body(null, 204);
    })
    .post("/commentary", async (c) => {
      const on = text(await readForm(c), "on") === "on";
      deps.store.set("chat.commentary", on);
      return c.body(null, 204);
    })
    .post("/clear", (c) => {
      deps.chat.clear();
      return c.body(null, 204);
    })
    .post("/poke", async (c) => {
      const where = text(await readForm(c), "where").slice(0, 200) || "the home page";
      if (deps.chat.busy()) {
        throw new HTTPException(409, { message: "The assistant is still answering." });
      }
      deps.chat.poke(where).catch((error) => deps.log.error("poke failed", error));
      return c.body(null, 202);
    })
    .post("/undo/:id", (c) => {
      const id = Number(c.req.param("id"));
      try {
        deps.chat.undo(id);
      } catch (error) {
        if (error instanceof LlmError) throw new HTTPException(404, { message: error.message });
        throw error;
      }
      return c.body(null, 204);
    });
}
