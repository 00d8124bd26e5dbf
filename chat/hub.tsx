/**
 * @module
 * The chat hub: the open sockets, the conversation and the one answer being
 * streamed. A message from any page is answered token by token on every page
 * (the original design's broadcast); the model may ask for CRUD operations through the
 * `crud` tool, which run through the CRUD services after validation and can be
 * undone; workflow events become short notes. Failures become messages.
 */

import { Message, type MessageView } from "../components/chat.tsx";
import type { Config } from "../lib/config.ts";
import { NotFoundError } from "../lib/errors.ts";
import { escapeHtml } from "../lib/html.ts";
import { type Llm, LlmError, type LlmMessage, type ToolCall } from "../lib/llm.ts";
import type { Logger } from "../lib/log.ts";
import type { ChatMessage, Conversation } from "../services/conversation.ts";
import type { CrudOperation } from "../services/events.ts";
import type { Services } from "../services/mod.ts";
import { isKind } from "../pipeline/plugin.ts";
import { ContextError } from "../services/context.ts";
import type { Bus } from "../lib/bus.ts";
import type { ServiceEvents } from "../services/events.ts";
import { crudTool, systemPrompt } from "./prompt.ts";

/** How a question reaches the model. */
export interface AskOptions {
  /** Send the text to the model only and show this note instead (poke). */
  shown?: string;
  /** Model commentary: no message of the person's, and failures are logged, not shown. */
  quiet?: boolean;
}

/** Anything that can receive text frames: a WebSocket, or a test double. */
export interface ChatSocket {
  send(data: string): void;
  /** Close with a reason the page shows (the database was switched away). */
  close?(code: number, reason: string): void;
}

/** What routes and the shell use. */
export interface ChatHub {
  readonly history: Conversation;
  /** The LLM this hub talks to. */
  readonly llm: Llm;
  join(socket: ChatSocket): () => void;
  /**
   * Handle a frame from a page: `{message}` to ask, `{action: "stop"}` to
   * stop. A frame from a page of another database or profile is answered on
   * its socket alone, and changes nothing.
   */
  receive(data: string, from?: ChatSocket): Promise<void>;
  /** Ask the model; resolves when the answer is complete (or failed). */
  ask(text: string, options?: AskOptions): Promise<void>;
  stop(): boolean;
  poke(where: string): Promise<void>;
  undo(messageId: number): string;
  clear(): void;
  recent(): MessageView[];
  model(): string;
  setModel(name: string): void;
  sockets(): number;
  busy(): boolean;
}

function view(m: ChatMessage): MessageView {
  return {
    id: m.id,
    role: m.role,
    content: m.content,
    undoable: m.role === "operation" && m.undo !== null,
  };
}

/** Turn a tool call into a CRUD operation, or explain what is wrong with it. */
export function toOperation(call: ToolCall): CrudOperation {
  if (call.name !== "crud") throw new Error(`there is no tool called "${call.name}"`);
  let args = call.arguments;
  if (typeof args === "string") {
    try {
      args = JSON.parse(args);
    } catch {
      throw new Error("its arguments were not valid JSON");
    }
  }
  if (!args || typeof args !== "object" || Array.isArray(args)) {
    throw new Error("its arguments were not an object");
  }
  const a = args as Record<string, unknown>;
  if (typeof a.app !== "string" || typeof a.action !== "string") {
    throw new Error("it needs an app and an action");
  }
  const op: CrudOperation = { app: a.app, action: a.action as CrudOperation["action"] };
  if (a.id !== undefined) {
    if (typeof a.id !== "number" || !Number.isSafeInteger(a.id)) {
      throw new Error("id must be a whole number");
    }
    op.id = a.id;
  }
  if (a.values !== undefined) {
    if (!a.values || typeof a.values !== "object" || Array.isArray(a.values)) {
      throw new Error("values must be an object");
    }
    op.values = a.values as Record<string, unknown>;
  }
  if (a.order !== undefined) {
    if (!Array.isArray(a.order) || !a.order.every((n) => Number.isSafeInteger(n))) {
      throw new Error("order must be a list of whole numbers");
    }
    op.order = a.order as number[];
  }
  return op;
}

/** What the hub of one database needs. */
export interface HubDeps {
  config: Config;
  log: Logger;
  bus: Bus<ServiceEvents>;
  services: Services;
  llm: Llm;
  /** Aborts when the server stops. */
  signal: AbortSignal;
}

/** Create the hub of one database. */
export function createChatHub(deps: HubDeps): ChatHub {
  const { services, llm } = deps;
  const log = deps.log.child("chat");
  const history = services.conversation;
  history.setSystem(systemPrompt(services.plugins, services.crud.assistantApps()));
  const sockets = new Set<ChatSocket>();
  let current: AbortController | undefined;

  function send(frame: { target: string; swap: string; content: string }): void {
    const data = JSON.stringify(frame);
    for (const socket of sockets) {
      try {
        socket.send(data);
      } catch {
        sockets.delete(socket);
      }
    }
  }
  const html = (node: unknown) => String((node as { toString(): string }).toString());
  const append = (m: ChatMessage, streaming = false) =>
    send({
      target: "#chat-log",
      swap: "beforeend",
      content: html(<Message message={view(m)} streaming={streaming} />),
    });
  const replace = (m: ChatMessage) =>
    send({
      target: `#msg-${m.id}`,
      swap: "outerHTML",
      content: html(<Message message={view(m)} />),
    });
  const say = (role: ChatMessage["role"], text: string, undo?: CrudOperation) =>
    append(history.add(role, text, undo));

  function conversation(extra?: string): LlmMessage[] {
    const system = history.system();
    const past = history.recent(deps.config.chatHistory)
      .filter((m) => (m.role === "user" || m.role === "assistant") && m.content !== "")
      .map((m) => ({ role: m.role as "user" | "assistant", content: m.content }));
    return [
      ...(system ? [{ role: "system" as const, content: system.content }] : []),
      ...past,
      ...(extra ? [{ role: "user" as const, content: extra }] : []),
    ];
  }

  function runTool(call: ToolCall): void {
    let op: CrudOperation;
    try {
      op = toOperation(call);
    } catch (error) {
      log.info(`refused a malformed tool call: ${(error as Error).message}`, call);
      say(
        "error",
        `I could not run that operation: ${(error as Error).message}. Nothing was changed.`,
      );
      return;
    }
    try {
      const outcome = services.crud.execute(op, "llm");
      log.info(`assistant ran ${op.action} on ${op.app}`, op);
      const listing = outcome.records
        ? "\n" +
          outcome.records.map((r) =>
            `- #${r.id} ${
              Object.entries(r).filter(([k]) => !["id", "position", "profile_id"].includes(k)).map((
                [k, v],
              ) => `${k}: ${v}`).join(", ")
            }`
          ).join("\n")
        : "";
      say("operation", outcome.message + listing, op.action === "list" ? undefined : outcome.undo);
    } catch (error) {
      log.info(`refused ${op.action} on ${op.app}: ${(error as Error).message}`, op);
      say("error", `I could not do that: ${(error as Error).message} Nothing was changed.`);
    }
  }

  async function ask(text: string, options: AskOptions = {}): Promise<void> {
    if (current) {
      if (!options.quiet) {
        say("error", "Still answering the last message: wait for it, or press Stop.");
      }
      return;
    }
    const controller = new AbortController();
    current = controller;
    const stopOnShutdown = () => controller.abort();
    deps.signal.addEventListener("abort", stopOnShutdown, { once: true });
    try {
      // A question from the page is shown as the person's message; a poke or a commentary
      // prompt goes to the model only (a poke leaves a note saying so).
      const fromPerson = options.shown === undefined && !options.quiet;
      if (fromPerson) say("user", text);
      const llmMessages = fromPerson ? conversation() : conversation(text);
      if (options.shown) say("note", options.shown);
      const answer = history.add("assistant", "");
      append(answer, true);
      let content = "";
      const calls: ToolCall[] = [];
      let failure: string | undefined;
      let lastSave = Date.now();
      const apps = services.crud.assistantApps();
      try {
        const model = services.store.get<string>("chat.model", deps.config.model);
        for await (
          const chunk of llm.chat(model, llmMessages, {
            signal: controller.signal,
            tools: apps.length ? [crudTool(apps)] : undefined,
          })
        ) {
          if ("tool" in chunk) {
            calls.push(chunk.tool);
            continue;
          }
          if ("done" in chunk) continue;
          content += chunk.text;
          send({
            target: `#msg-${answer.id} .body`,
            swap: "beforeend",
            content: escapeHtml(chunk.text),
          });
          if (Date.now() - lastSave > 500) {
            history.update(answer.id, content);
            lastSave = Date.now();
          }
        }
      } catch (error) {
        failure = error instanceof LlmError
          ? error.message
          : "The answer failed unexpectedly; the details are in the log.";
        if (!(error instanceof LlmError)) log.error("chat stream failed", error);
      }
      if (!content && !calls.length && failure) {
        // Nothing arrived: drop the empty bubble; the error message below says why.
        history.remove(answer.id);
        send({ target: `#msg-${answer.id}`, swap: "outerHTML", content: "<div hidden></div>" });
      } else {
        const finalText = content || "On it.";
        history.update(answer.id, finalText);
        replace({ ...answer, content: finalText });
      }
      for (const call of calls) runTool(call);
      if (failure && !options.quiet) say("error", failure);
      if (failure && options.quiet) log.info(`commentary skipped: ${failure}`);
    } finally {
      deps.signal.removeEventListener("abort", stopOnShutdown);
      current = undefined;
    }
  }

  deps.bus.on("pipeline", async (event): Promise<void> => {
    const plugin = services.plugins.find((p) => p.slug === event.workflow);
    const steps = plugin && isKind(plugin, "workflow") ? plugin.definition.steps : [];
    const step = steps.find((s) => s.id === event.step)?.label ?? event.step;
    const what = {
      start: "started",
      submit: `submitted “${step}”`,
      revert: `went back to “${step}”`,
      finalize: "finalized the run",
      unfinalize: "unlocked the run",
      delete: "deleted the run",
      "job-done": `finished the work of “${step}”`,
      "job-failed": `the work of “${step}” failed`,
    }[event.operation];
    const note = `${plugin?.definition.title ?? event.workflow} · ${event.key}: ${what}.`;
    say("note", note);
    // When the person has asked for it, the model comments too; a failure stays out of the chat.
    if (services.store.get("chat.commentary", false) && !current) {
      await ask(
        `(Cardflow event: ${note} Values: ${JSON.stringify(event.values ?? {}).slice(0, 500)}. ` +
          "In one short sentence, comment helpfully on this step of the user's work.)",
        { quiet: true },
      );
    }
  }, { signal: services.signal });

  // This database is being switched away: every page is told why its chat stops here.
  services.signal.addEventListener("abort", () => {
    for (const socket of sockets) {
      try {
        socket.close?.(1012, "Cardflow switched databases; the chat reconnects to the new one.");
      } catch { /* already closed */ }
    }
    sockets.clear();
  }, { once: true });

  const hub: ChatHub = {
    history,
    llm,
    join(socket) {
      sockets.add(socket);
      return () => sockets.delete(socket);
    },
    async receive(data, from) {
      let frame: Record<string, unknown>;
      try {
        frame = JSON.parse(data);
      } catch {
        return;
      }
      if (frame?.action === "stop") {
        hub.stop();
        return;
      }
      const text = typeof frame?.message === "string" ? frame.message.trim() : "";
      if (text === "") return;
      const headers = frame.headers as Record<string, unknown> | undefined;
      try {
        services.context.check(String(headers?.["X-Cardflow-Context"] ?? ""));
      } catch (error) {
        if (!(error instanceof ContextError)) throw error;
        // Only the stale page hears it: nothing is stored or sent to the model.
        from?.send(JSON.stringify({
          target: "#chat-log",
          swap: "beforeend",
          content: html(
            <Message message={{ id: 0, role: "error", content: error.message }} />,
          ),
        }));
        return;
      }
      if (text.length > 8000) {
        say("error", "That message is too long: at most 8,000 characters.");
        return;
      }
      await ask(text);
    },
    ask,
    stop() {
      if (!current) return false;
      current.abort();
      return true;
    },
    poke(where) {
      return ask(
        `(The user pressed "Poke" while looking at ${where}. In one or two sentences, give a friendly, specific nudge about what they could do next there.)`,
        { shown: `Poke from ${where}` },
      );
    },
    undo(messageId) {
      const message = history.find(messageId);
      if (!message || message.role !== "operation" || !message.undo) {
        throw new NotFoundError("chat", messageId, "There is nothing to undo for that message.");
      }
      const outcome = services.crud.execute(message.undo, "ui");
      history.clearUndo(messageId);
      replace({ ...message, undo: null });
      say("note", `Undone: ${outcome.message}`);
      log.info(`undid assistant operation from message ${messageId}`, message.undo);
      return outcome.message;
    },
    clear() {
      history.clear();
      send({ target: "#chat-log", swap: "innerHTML", content: "" });
    },
    recent: () => history.recent(50).map(view),
    model: () => services.store.get<string>("chat.model", deps.config.model),
    setModel: (name) => services.store.set("chat.model", name),
    sockets: () => sockets.size,
    busy: () => current !== undefined,
  };
  return hub;
}
