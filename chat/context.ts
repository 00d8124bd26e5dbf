/**
 * @module
 * What the model is sent: the system message first, always; then what the
 * person is looking at and the latest workflow notes, bounded; then as many
 * earlier turns as fit a token budget, newest kept; then the question. The
 * prompt's size is measured (roughly, four characters a token) so it never
 * outgrows the budget whatever the history holds.
 */

import type { LlmMessage } from "../lib/llm.ts";
import { isKind } from "../pipeline/plugin.ts";
import * as machine from "../pipeline/workflow/machine.ts";
import type { ChatMessage } from "../services/conversation.ts";
import type { Services } from "../services/mod.ts";

/** Budgets for what the model is sent. */
export const CONTEXT_DEFAULTS = {
  /** Earlier turns, in estimated tokens. */
  historyTokens: 6000,
  /** The page and notes paragraph, in characters. */
  contextChars: 2000,
  /** How many recent workflow notes the model hears about. */
  notes: 5,
} as const;

/** A rough token count: about four characters a token for English text. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** Tokens of a whole prompt. */
export function promptTokens(messages: readonly LlmMessage[]): number {
  return messages.reduce((n, m) => n + estimateTokens(m.content) + 4, 0);
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

  const turns: LlmMessage[] = [];
  let used = 0;
  for (const m of [...options.history].reverse()) {
    if ((m.role !== "user" && m.role !== "assistant") || m.content === "") continue;
    const cost = estimateTokens(m.content) + 4;
    if (used + cost > budget) break;
    used += cost;
    turns.unshift({ role: m.role, content: m.content });
  }
  return [
    ...(options.system ? [{ role: "system" as const, content: options.system }] : []),
    ...(context ? [{ role: "system" as const, content: `Context: ${context}` }] : []),
    ...turns,
    { role: "user", content: options.question },
  ];
}
