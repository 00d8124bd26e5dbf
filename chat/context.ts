/**
 * @module
 * What the model is sent: the system message first, always; then what the
 * person is looking at and the latest workflow notes, bounded; then as many
 * earlier turns as fit a token budget, newest kept; then the question. The
 * prompt's size is measured (roughly, four characters a token), the tool list
 * included, and `fitPrompt` keeps every round of the tool loop within the
 * model's context window whatever the history and the tool results hold.
 */

import type { LlmMessage, ToolSpec } from "../lib/llm.ts";
import { isKind } from "../pipeline/plugin.ts";
import * as machine from "../pipeline/workflow/machine.ts";
import type { ChatMessage } from "../services/conversation.ts";
import type { Services } from "../services/mod.ts";

/** Budgets for what the model is sent. */
export const CONTEXT_DEFAULTS = {
  /** Earlier turns, in estimated tokens, at most (less when the prompt needs the room). */
  historyTokens: 6000,
  /** Room kept in the context window for the answer, in tokens. */
  answerTokens: 1024,
  /** The page and notes paragraph, in characters. */
  contextChars: 2000,
  /** How many recent workflow notes the model hears about. */
  notes: 5,
} as const;

/** A rough token count: about four characters a token for English text. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** Tokens of one message: its text, its tool calls, and a little for its role. */
function messageTokens(m: LlmMessage): number {
  const calls = m.role === "assistant" && m.toolCalls?.length
    ? estimateTokens(JSON.stringify(m.toolCalls))
    : 0;
  return estimateTokens(m.content) + calls + 4;
}

/** Tokens of a whole prompt, with the tool list it is sent with. */
export function promptTokens(messages: readonly LlmMessage[], tools?: readonly ToolSpec[]): number {
  const list = tools?.length ? estimateTokens(JSON.stringify(tools)) : 0;
  return messages.reduce((n, m) => n + messageTokens(m), list);
}

/** What a tool result is replaced with when the prompt has no room left for it. */
export const DROPPED_RESULT =
  '{"dropped":"this result no longer fits the model\'s context; ask again for less"}';

/**
 * `messages` made to fit `budget` tokens (tools included): the earliest
 * earlier turns go first, then the oldest tool results are replaced by a
 * short note. System messages, the question and the tool calls stay.
 */
export function fitPrompt(
  messages: readonly LlmMessage[],
  budget: number,
  tools?: readonly ToolSpec[],
): LlmMessage[] {
  const out = [...messages];
  let size = promptTokens(out, tools);
  const question = out.findLastIndex((m) => m.role === "user");
  // Earlier turns: after the leading system messages, before the question.
  const first = out.findIndex((m) => m.role !== "system");
  let end = question;
  let dropped = false;
  // Drop whole exchanges: once one turn went, an answer whose question went goes too.
  while (
    first >= 0 && first < end && (size > budget || (dropped && out[first]!.role !== "user"))
  ) {
    size -= messageTokens(out[first]!);
    out.splice(first, 1);
    end--;
    dropped = true;
  }
  for (let i = end + 1; size > budget && i < out.length; i++) {
    const m = out[i]!;
    if (m.role !== "tool" || m.content === DROPPED_RESULT) continue;
    size -= estimateTokens(m.content) - estimateTokens(DROPPED_RESULT);
    out[i] = { ...m, content: DROPPED_RESULT };
  }
  return out;
}

/** One sentence or two about the page at `url`: which app, which run and where it stands. */
export function describePage(services: Services, url: string | undefined): string | undefined {
  if (!url) return undefined;
  let path: string;
  try {
    path = new URL(url, "http://localhost").pathname;
  } catch {
    return undefined;
  }
  const [slug, kind, key] = path.split("/").filter(Boolean).map(decodeURIComponent);
  const plugin = services.plugins.find((p) => p.slug === slug);
  if (!plugin) return `The person is on ${path.slice(0, 100)}.`;
  const title = plugin.definition.title;
  if (!isKind(plugin, "workflow") || kind !== "run" || !key) {
    return `The person is on the ${title} page (/${plugin.slug}).`;
  }
  let run;
  try {
    run = services.workflows.find(plugin.slug)?.load(key);
  } catch {
    // A key that names no run: say where the person is, nothing more.
  }
  if (!run) return `The person is on the ${title} page, on a run key that does not exist.`;
  const definition = plugin.definition;
  const next = machine.nextStep(definition, run.state);
  const done = definition.steps.filter((s) => s.id in machine.completed(definition, run.state))
    .map((s) => `${s.label}: ${JSON.stringify(run.state.steps[s.id]).slice(0, 200)}`);
  const where = run.state.finalized
    ? "finalized"
    : next === null
    ? "every step done, not finalized"
    : `at the step “${definition.steps.find((s) => s.id === next)!.label}” (${next})`;
  return `The person is on the ${title} run ${run.key} (version ${run.version}), ${where}.` +
    (done.length ? ` Completed steps: ${done.join("; ")}.` : "");
}

/** Options for {@linkcode composeMessages}. */
export interface ComposeOptions {
  system?: string;
  /** The conversation so far, oldest first (the question not included). */
  history: readonly ChatMessage[];
  /** The person's question, or an automatic prompt (commentary, poke). */
  question: string;
  /** What the person is looking at. */
  page?: string;
  historyTokens?: number;
  /** The most the whole prompt may take (the context window less the answer's room). */
  promptTokens?: number;
  /** The tools it is sent with (they take room too). */
  tools?: readonly ToolSpec[];
}

/** The messages sent to the model for one answer. */
export function composeMessages(options: ComposeOptions): LlmMessage[] {
  const budget = options.historyTokens ?? CONTEXT_DEFAULTS.historyTokens;
  const notes = options.history.filter((m) => m.role === "note").slice(-CONTEXT_DEFAULTS.notes)
    .map((m) => m.content.split("\n").slice(-3).join(" / ").slice(0, 300));
  const context = [
    options.page,
    notes.length ? `Recent workflow activity: ${notes.join(" | ")}` : undefined,
  ].filter(Boolean).join("\n").slice(0, CONTEXT_DEFAULTS.contextChars);

  const fixed: LlmMessage[] = [
    ...(options.system ? [{ role: "system" as const, content: options.system }] : []),
    ...(context ? [{ role: "system" as const, content: `Context: ${context}` }] : []),
  ];
  const question: LlmMessage = { role: "user", content: options.question };
  const room = options.promptTokens === undefined
    ? budget
    : Math.min(budget, options.promptTokens - promptTokens([...fixed, question], options.tools));
  const turns: LlmMessage[] = [];
  let used = 0;
  for (const m of [...options.history].reverse()) {
    if ((m.role !== "user" && m.role !== "assistant") || m.content === "") continue;
    const cost = estimateTokens(m.content) + 4;
    if (used + cost > room) break;
    used += cost;
    turns.unshift({ role: m.role, content: m.content });
  }
  return [...fixed, ...turns, question];
}
