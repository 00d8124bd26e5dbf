/**
 * @module
 * The chat hub of one database: the open sockets, the current profile's
 * conversation and the one answer being streamed. A message from any page is
 * answered on every page (the original design's broadcast); the tool loop
 * runs only for a message a person sent (`chat/answer.ts`), commentary and
 * Poke get no tools. Workflow events become notes, folded per run. Every
 * change the assistant made can be undone, one at a time or all of an answer
 * at once; deleting and finalizing wait for Apply.
 */

import { EmptyHint, Message, type MessageView } from "../components/chat.tsx";
import type { Bus } from "../lib/bus.ts";
import type { Config } from "../lib/config.ts";
import { ConflictError, NotFoundError, ValidationError } from "../lib/errors.ts";
import type { Llm } from "../lib/llm.ts";
import type { Logger } from "../lib/log.ts";
import { ContextError } from "../services/context.ts";
import type { ChatMessage, MessageMeta, Role } from "../services/conversation.ts";
import type { Operation, ServiceEvents } from "../services/events.ts";
import type { Services } from "../services/mod.ts";
import { ANSWER_LIMITS, type AnswerLimits, runAnswer } from "./answer.ts";
import { answerOutput } from "./answer_output.tsx";
import { composeMessages, CONTEXT_DEFAULTS, describePage } from "./context.ts";
import {
  type Asker,
  type ChatHub,
  type ChatSocket,
  CLOSE_REASONS,
  MAX_QUESTION,
  PAGE_MESSAGES,
} from "./hub_api.ts";
import { noteLine } from "./notes.ts";
import { systemPrompt } from "./prompt.ts";
import { combineUndo, runTool, toolSpecs } from "./tools.ts";

/** Options of the hub. */
export interface HubDeps {
  config: Config;
  log: Logger;
  bus: Bus<ServiceEvents>;
  services: Services;
  llm: Llm;
  /** Aborts when the server stops. */
  signal: AbortSignal;
  /** Bounds on each answer (tests tighten them). */
  limits?: Partial<AnswerLimits>;
}

/** Whether message `m` changed data that is still changed (it can be undone, or was applied). */
function changedSomething(m: ChatMessage): boolean {
  return Boolean(m.undo?.length) || m.meta.proposal?.state === "applied";
}

/** Create the hub of one database. */
export function createChatHub(deps: HubDeps): ChatHub {
  const { services, llm } = deps;
  const log = deps.log.child("chat");
  const conversation = services.conversation;
  const system = systemPrompt(services.plugins, services.crud.assistantApps());
  conversation.setSystem(system);
  const sockets = new Set<ChatSocket>();
  let current: AbortController | undefined;
  const profile = () => services.profiles.current().id ?? 0;
  const limits: AnswerLimits = {
    ...ANSWER_LIMITS,
    promptTokens: deps.config.llmContext - CONTEXT_DEFAULTS.answerTokens,
    ...deps.limits,
  };

  function send(frame: { target: string; swap: string; content: string }, only?: ChatSocket) {
    const data = JSON.stringify(frame);
    for (const socket of only ? [only] : sockets) {
      try {
        socket.send(data);
      } catch {
        sockets.delete(socket);
      }
    }
  }
  const text = (node: unknown) => String(node);
  const lastAnswer = () =>
    conversation.recent(profile(), 30).filter((m) => m.role === "assistant").at(-1)?.id;
  function view(m: ChatMessage, last = lastAnswer()): MessageView {
    return {
      id: m.id,
      role: m.role,
      content: m.content,
      undoable: m.undo !== null && m.undo.length > 0,
      tool: m.meta.tool,
      proposal: m.meta.proposal?.state,
      last: m.id === last,
    };
  }
  const append = (m: ChatMessage, streaming = false) =>
    send({
      target: "#chat-log",
      swap: "beforeend",
      content: text(<Message message={view(m)} streaming={streaming} />),
    });
  const replace = (id: number) => {
    const m = conversation.find(id);
    if (m) {
      send({
        target: `#msg-${id}`,
        swap: "outerHTML",
        content: text(<Message message={view(m)} />),
      });
    }
  };
  const drop = (id: number) =>
    send({ target: `#msg-${id}`, swap: "outerHTML", content: "<div hidden></div>" });
  const say = (role: Role, content: string, extras?: { undo?: Operation[]; meta?: MessageMeta }) =>
    append(conversation.add(profile(), role, content, extras));

  /** Answer `question` (already shown or not) with the conversation before `before` as history. */
  async function answer(
    question: string,
    options: { tools: boolean; asker?: Asker; history?: ChatMessage[] },
  ): Promise<void> {
    const controller = new AbortController();
    current = controller;
    const stopOnShutdown = () => controller.abort();
    deps.signal.addEventListener("abort", stopOnShutdown, { once: true });
    services.signal.addEventListener("abort", stopOnShutdown, { once: true });
    const mine = profile();
    // One number ties together every message of this answer (its Undo all, its rounds).
    const answerId = crypto.getRandomValues(new Uint32Array(1))[0]!;
    const changes: Operation[] = [];
    try {
      const history = options.history ?? conversation.recent(mine, 200);
      const specs = options.tools
        ? toolSpecs(services.crud.assistantApps(), services.workflows.all())
        : undefined;
      const messages = composeMessages({
        system,
        history,
        question,
        page: describePage(services, options.asker?.page),
        promptTokens: limits.promptTokens,
        tools: specs,
      });
      await runAnswer({
        llm,
        model: model(),
        messages,
        tools: specs,
        runTool: options.tools ? (call) => runTool(services, call) : undefined,
        signal: controller.signal,
        log,
        limits,
        loud: options.tools || options.asker !== undefined,
        output: answerOutput({
          conversation,
          profile: mine,
          answer: answerId,
          changes,
          log,
          send,
          append,
          replace,
          drop,
          say,
        }),
      });
      if (changes.length > 1) {
        say("operation", `This answer made ${changes.length} changes.`, {
          undo: combineUndo(changes),
          meta: { answer: answerId },
        });
      }
    } finally {
      deps.signal.removeEventListener("abort", stopOnShutdown);
      services.signal.removeEventListener("abort", stopOnShutdown);
      current = undefined;
    }
  }

  function busyRefusal(from?: ChatSocket): boolean {
    if (!current) return false;
    const message = "Still answering the last message: wait for it, or press Stop.";
    if (from) {
      send({
        target: "#chat-log",
        swap: "beforeend",
        content: text(<Message message={{ id: 0, role: "error", content: message }} />),
      }, from);
    } else say("error", message);
    return true;
  }

  async function ask(question: string, asker: Asker = {}): Promise<void> {
    if (busyRefusal(asker.from)) return;
    const history = conversation.recent(profile(), 200);
    say("user", question);
    await answer(question, { tools: true, asker, history });
  }

  function model(): string {
    return services.store.get<string>("chat.model", deps.config.model);
  }

  // Workflow events become notes; consecutive notes of one run fold into one message.
  deps.bus.on("pipeline", async (event): Promise<void> => {
    // The assistant's own changes are shown as its entries already.
    if (event.source === "llm") return;
    const run = `${event.workflow}/${event.key}`;
    const line = noteLine(services.plugins, event);
    const latest = conversation.recent(profile(), 1)[0];
    if (latest?.role === "note" && latest.meta.run === run) {
      const lines = [...latest.content.split("\n"), line].slice(-20);
      conversation.update(latest.id, { content: lines.join("\n") });
      replace(latest.id);
    } else {
      say("note", line, { meta: { run } });
    }
    // When the person has asked for it, the model comments too, without tools.
    if (services.store.get("chat.commentary", false) && !current && event.operation === "submit") {
      await answer(
        `(Cardflow event: ${line} Values: ${JSON.stringify(event.values ?? {}).slice(0, 500)}. ` +
          "In one short sentence, comment helpfully on this step of the user's work.)",
        { tools: false },
      );
    }
  }, { signal: services.signal });

  /** Tell `socket` why its chat stops here: this database went away. */
  function closeRetired(socket: ChatSocket): void {
    const why = services.retiredFor ?? "close";
    try {
      socket.close?.(why === "close" ? 1001 : 1012, CLOSE_REASONS[why]);
    } catch { /* already closed */ }
  }

  // This database is going away: every page is told why its chat stops here.
  services.signal.addEventListener("abort", () => {
    current?.abort();
    for (const socket of sockets) closeRetired(socket);
    sockets.clear();
  }, { once: true });

  function own(id: number): ChatMessage {
    const m = conversation.find(id);
    if (!m || m.profile_id !== profile()) {
      throw new NotFoundError("chat", id, "There is no such message in this conversation.");
    }
    return m;
  }

  /** The proposal message `id`, still waiting for Apply. */
  function openProposal(id: number) {
    const m = own(id);
    const proposal = m.meta.proposal;
    if (m.role !== "proposal" || !proposal || proposal.state !== "open") {
      throw new ConflictError("That proposal was already applied or dismissed.");
    }
    return { m, proposal };
  }

  const hub: ChatHub = {
    llm,
    conversation,
    join(socket) {
      // A socket whose upgrade reached this hub as its database went away: it reconnects.
      if (services.signal.aborted) {
        closeRetired(socket);
        return () => {};
      }
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
      const question = typeof frame?.message === "string" ? frame.message.trim() : "";
      if (question === "") return;
      const headers = (frame.headers ?? {}) as Record<string, unknown>;
      // Refusals go to the asking page only: nothing is stored or sent to the model.
      const refuse = (content: string) =>
        send({
          target: "#chat-log",
          swap: "beforeend",
          content: text(<Message message={{ id: 0, role: "error", content }} />),
        }, from);
      try {
        services.context.check(String(headers["X-Cardflow-Context"] ?? ""));
      } catch (error) {
        if (!(error instanceof ContextError)) throw error;
        return refuse(error.message);
      }
      if (question.length > MAX_QUESTION) {
        return refuse(
          `That message is too long: at most ${MAX_QUESTION.toLocaleString("en")} characters.`,
        );
      }
      const page = typeof headers["HX-Current-URL"] === "string"
        ? headers["HX-Current-URL"]
        : undefined;
      await ask(question, { from, page });
    },
    ask,
    async poke(where) {
      if (busyRefusal()) return;
      say("note", `Poke from ${where}`);
      await answer(
        `(The user pressed "Poke" while looking at ${where}. In one or two sentences, give a ` +
          "friendly, specific nudge about what they could do next there.)",
        { tools: false, asker: { page: where } },
      );
    },
    stop() {
      if (!current) return false;
      current.abort();
      return true;
    },
    undo(id) {
      const m = own(id);
      if (!m.undo?.length) {
        throw new NotFoundError("chat", id, "There is nothing to undo for that message.");
      }
      // A summary undoes what is still undoable of its answer, newest first, in one go.
      const group = m.meta.answer !== undefined && m.role === "operation" && !m.meta.tool
        ? conversation.recent(profile(), 500).filter((x) =>
          x.meta.answer === m.meta.answer && x.id !== m.id && x.undo?.length
        )
        : [];
      const operations = group.length ? combineUndo(group.flatMap((x) => x.undo ?? [])) : m.undo;
      const done = services.apply(operations, "ui").map((a) => a.message);
      for (const x of [m, ...group]) {
        const proposal = x.meta.proposal;
        conversation.update(x.id, {
          undo: null,
          ...(proposal?.state === "applied"
            ? { meta: { ...x.meta, proposal: { ...proposal, state: "undone" as const } } }
            : {}),
        });
        replace(x.id);
      }
      say("note", `Undone: ${done.join(" ")}`);
      log.info(`undid the assistant's changes from message ${id}`, operations);
      return done.join(" ");
    },
    apply(id) {
      const { m, proposal } = openProposal(id);
      const done = services.apply([proposal.operation], "ui");
      const undo = done.flatMap((a) => a.undo ? [a.undo] : []);
      conversation.update(id, {
        meta: { ...m.meta, proposal: { ...proposal, state: "applied" } },
        ...(undo.length ? { undo } : {}),
      });
      replace(id);
      const said = done.map((a) => a.message).join(" ");
      say("note", `Applied: ${said}`);
      return said;
    },
    dismiss(id) {
      const { m, proposal } = openProposal(id);
      conversation.update(id, {
        meta: { ...m.meta, proposal: { ...proposal, state: "dismissed" } },
      });
      replace(id);
    },
    remove(id) {
      own(id);
      conversation.remove(id);
      drop(id);
    },
    edit(id, question, asker = {}) {
      const m = own(id);
      if (m.role !== "user") {
        throw new ValidationError("chat", "message", "Only your own messages can be edited.");
      }
      const edited = question.trim();
      if (edited === "" || edited.length > MAX_QUESTION) {
        throw new ValidationError(
          "chat",
          "message",
          `A message is 1 to ${MAX_QUESTION.toLocaleString("en")} characters.`,
        );
      }
      const later = conversation.recent(profile(), 500).filter((x) => x.id > id);
      if (later.some(changedSomething)) {
        throw new ConflictError(
          "A later answer changed something: undo its changes first, then edit this message.",
        );
      }
      if (busyRefusal(asker.from)) return Promise.resolve();
      conversation.removeAfter(profile(), id);
      for (const x of later) drop(x.id);
      conversation.update(id, { content: edited });
      replace(id);
      const history = conversation.recent(profile(), 200).filter((x) => x.id < id);
      return answer(edited, { tools: true, asker, history });
    },
    regenerate(asker = {}) {
      const recent = conversation.recent(profile(), 200);
      const question = recent.filter((m) => m.role === "user").at(-1);
      if (!question) {
        throw new NotFoundError("chat", "question", "There is no question to answer again.");
      }
      const after = recent.filter((m) => m.id > question.id);
      if (after.some(changedSomething)) {
        throw new ConflictError(
          "The last answer changed something: undo its changes first, then regenerate.",
        );
      }
      if (busyRefusal(asker.from)) return Promise.resolve();
      conversation.removeAfter(profile(), question.id);
      for (const m of after) drop(m.id);
      return answer(question.content, {
        tools: true,
        asker,
        history: recent.filter((m) => m.id < question.id),
      });
    },
    clear() {
      conversation.clear(profile());
      // htmx's hx-ws does not swap empty content, so the empty panel gets its hint instead.
      send({ target: "#chat-log", swap: "innerHTML", content: text(<EmptyHint />) });
    },
    page(before) {
      const messages = conversation.recent(profile(), PAGE_MESSAGES + 1, before);
      const more = messages.length > PAGE_MESSAGES;
      const shown = more ? messages.slice(1) : messages;
      const last = lastAnswer();
      return {
        messages: shown.map((m) => view(m, last)),
        earlier: more ? shown[0]?.id : undefined,
      };
    },
    view(id) {
      const m = conversation.find(id);
      return m && m.profile_id === profile() ? view(m) : undefined;
    },
    model,
    setModel: (name) => services.store.set("chat.model", name),
    sockets: () => sockets.size,
    busy: () => current !== undefined,
  };
  return hub;
}
