/**
 * @module
 * The chat hub: the open sockets, the conversation and the one answer being
 * streamed. A message from any page is answered token by token on every page
 * (the seed's broadcast); the model may ask for CRUD operations through the
 * `crud` tool, which run through `deps.crud` after validation and can be
 * undone; workflow events become short notes. Failures become messages.
 */

import { Message, type MessageView } from "../../components/chat.tsx";
import type { CrudOperation, Deps } from "../deps.ts";
import { type Llm, LlmError, type LlmMessage, type ToolCall } from "../llm.ts";
import { type ChatMessage, createHistory, type History } from "./history.ts";
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
}

/** What routes and the shell use. */
export interface ChatHub {
  readonly history: History;
  join(socket: ChatSocket): () => void;
  /** Handle a frame from a page: `{message}` to ask, `{action: "stop"}` to stop. */
  receive(data: string): Promise<void>;
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

const escapeMap: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Escape text for HTML. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => escapeMap[c]!);
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

/** Create the hub for `deps`, talking to `llm`. */
export function createChatHub(deps: Deps, llm: Llm): ChatHub {
  const log = deps.log.child("chat");
  const history = createHistory(deps.db, deps.config.chatHistory);
  history.setSystem(systemPrompt(deps.plugins, deps.crud.apps()));
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
      const outcome = deps.crud.execute(op, "llm");
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
      // The prompt follows the apps: CRUD apps register as the app is built, after this hub.
      history.setSystem(systemPrompt(deps.plugins, deps.crud.apps()));
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
      const apps = deps.crud.apps();
      try {
        const model = deps.store.get<string>("chat.model", deps.config.model);
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

  const unsubscribe: () => void = deps.bus.on("pipeline", async (event): Promise<void> => {
    if (!deps.db.isOpen) {
      unsubscribe();
      return;
    }
    const plugin = deps.plugins.find((p) => p.slug === event.workflow);
    const steps = (plugin?.definition as { steps?: { id: string; label: string }[] } | undefined)
      ?.steps;
    const step = steps?.find((s) => s.id === event.step)?.label ?? event.step;
    const what = {
      start: "started",
      submit: `submitted “${step}”`,
      revert: `went back to “${step}”`,
      finalize: "finalized the run",
      unfinalize: "unlocked the run",
      delete: "deleted the run",
    }[event.operation];
    const note = `${plugin?.definition.title ?? event.workflow} · ${event.key}: ${what}.`;
    say("note", note);
    // When the person has asked for it, the model comments too; a failure stays out of the chat.
    if (deps.store.get("chat.commentary", false) && !current) {
      await ask(
        `(Cardflow event: ${note} Values: ${JSON.stringify(event.values ?? {}).slice(0, 500)}. ` +
          "In one short sentence, comment helpfully on this step of the user's work.)",
        { quiet: true },
      );
    }
  });

  const hub: ChatHub = {
    history,
    join(socket) {
      sockets.add(socket);
      return () => sockets.delete(socket);
    },
    async receive(data) {
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
        throw new LlmError("There is nothing to undo for that message.");
      }
      const outcome = deps.crud.execute(message.undo, "ui");
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
    model: () => deps.store.get<string>("chat.model", deps.config.model),
    setModel: (name) => deps.store.set("chat.model", name),
    sockets: () => sockets.size,
    busy: () => current !== undefined,
  };
  return hub;
}
