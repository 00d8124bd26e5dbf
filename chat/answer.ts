/**
 * @module
 * One answer of the assistant: the tool loop. The model's text streams out
 * token by token; when it calls tools, each call runs (through `runTool`) and
 * its result goes back to the model as a `tool` message, and the model is
 * asked again, until it answers without a tool call or a bound is reached:
 * rounds, tool calls, changes, time, and the answer's length. Every bound
 * ends with one clear message, never a hang. Pure of I/O: the hub passes in
 * the model, the tool runner and where the output goes.
 */

import { type Llm, LlmError, type LlmMessage, type ToolCall, type ToolSpec } from "../lib/llm.ts";
import type { Logger } from "../lib/log.ts";
import { CONTEXT_DEFAULTS, fitPrompt } from "./context.ts";
import type { ToolOutcome } from "./tools.ts";

/** The bounds on one answer. */
export interface AnswerLimits {
  /** Model calls per answer (a round ends with tool calls or with the answer). */
  rounds: number;
  /** Tool calls per answer; the rest are refused together. */
  toolCalls: number;
  /** Changes per answer; further changing calls are refused. */
  writes: number;
  /** The whole answer, in ms. */
  timeMs: number;
  /** The answer's text, in characters; the stream is stopped beyond it. */
  answerChars: number;
  /**
   * The most one round's prompt may take, tools included, in estimated
   * tokens: the model's context window less room for the answer. Earlier
   * turns, then the oldest tool results, give way (`fitPrompt`).
   */
  promptTokens: number;
}

/** Defaults for {@linkcode AnswerLimits}. */
export const ANSWER_LIMITS: AnswerLimits = {
  rounds: 6,
  toolCalls: 20,
  writes: 20,
  timeMs: 120_000,
  answerChars: 64 * 1024,
  promptTokens: 8192 - CONTEXT_DEFAULTS.answerTokens,
};

/** Where an answer's output goes. */
export interface AnswerOutput {
  /** The model is working (true) or has started writing or stopped (false). */
  thinking(on: boolean): void;
  /** A new message for the text of round `round`, opened when its first text arrives. */
  open(round: number): number;
  /** Text arrived for message `id`. */
  token(id: number, text: string): void;
  /** Message `id` is complete with `content` (or is dropped when empty). */
  close(id: number, content: string, cut: boolean): void;
  /** A tool call ran (or was refused). */
  tool(call: ToolCall, outcome: ToolOutcome): void;
  /** Something the person must be told (a bound, a fault, a fallback). */
  notice(kind: "error" | "note", text: string): void;
}

/** What the answer did. */
export interface AnswerResult {
  text: string;
  rounds: number;
  calls: number;
  writes: number;
  /** Every message sent to the model, round by round (tests check them). */
  sent: LlmMessage[][];
}

/** Options for {@linkcode runAnswer}. */
export interface AnswerOptions {
  llm: Llm;
  model: string;
  messages: LlmMessage[];
  /** Tools, only for a message the person sent; none for commentary and poke. */
  tools?: ToolSpec[];
  runTool?: (call: ToolCall) => Promise<ToolOutcome>;
  output: AnswerOutput;
  signal: AbortSignal;
  log: Logger;
  limits?: Partial<AnswerLimits>;
  /** Tell the person a failure (false: log it only, as for commentary). */
  loud?: boolean;
}

/** Run the tool loop for one answer. */
export async function runAnswer(options: AnswerOptions): Promise<AnswerResult> {
  const limits = { ...ANSWER_LIMITS, ...options.limits };
  const { llm, model, output, log } = options;
  const messages = [...options.messages];
  const result: AnswerResult = { text: "", rounds: 0, calls: 0, writes: 0, sent: [] };
  const deadline = AbortSignal.timeout(limits.timeMs);
  let tools = options.tools?.length ? options.tools : undefined;
  const say = (kind: "error" | "note", text: string) => {
    if (options.loud !== false) output.notice(kind, text);
    else log.info(`commentary: ${text}`);
  };

  while (result.rounds < limits.rounds) {
    result.rounds++;
    const round = new AbortController();
    const signal = AbortSignal.any([options.signal, deadline, round.signal]);
    const prompt = fitPrompt(messages, limits.promptTokens, tools);
    result.sent.push(prompt);
    output.thinking(true);
    let id: number | undefined;
    let content = "";
    let cut = false;
    const calls: ToolCall[] = [];
    let failure: LlmError | undefined;
    try {
      for await (const chunk of llm.chat(model, prompt, { signal, tools })) {
        if ("tool" in chunk) {
          calls.push(chunk.tool);
          continue;
        }
        if ("done" in chunk) continue;
        if (result.text.length + content.length + chunk.text.length > limits.answerChars) {
          const room = Math.max(0, limits.answerChars - result.text.length - content.length);
          if (id === undefined) id = output.open(result.rounds);
          content += chunk.text.slice(0, room);
          cut = true;
          round.abort();
          break;
        }
        if (id === undefined) {
          output.thinking(false);
          id = output.open(result.rounds);
        }
        content += chunk.text;
        output.token(id, chunk.text);
      }
    } catch (error) {
      if (error instanceof LlmError) failure = error;
      else {
        log.error("chat stream failed", error);
        failure = new LlmError("The answer failed unexpectedly; the details are in the log.");
      }
      if (deadline.aborted) {
        failure = new LlmError(
          `The answer took longer than ${
            Number((limits.timeMs / 1000).toFixed(1))
          } s and was stopped.`,
        );
      }
    }
    // A model without tools: ask again without them, once, and say so.
    output.thinking(false);
    if (failure?.kind === "no-tools" && tools && content === "" && calls.length === 0) {
      say(
        "note",
        `The model "${model}" cannot use tools, so it answers without changing anything in Cardflow.`,
      );
      tools = undefined;
      result.rounds--;
      continue;
    }
    if (id !== undefined) output.close(id, content, cut || failure !== undefined);
    result.text += content;
    if (cut) {
      say(
        "error",
        `The answer was cut at ${Math.round(limits.answerChars / 1024)} KB; the rest was not kept.`,
      );
      return result;
    }
    if (failure) {
      say("error", failure.message);
      return result;
    }
    if (calls.length === 0) return result;
    if (!options.runTool || !tools) {
      // Tool calls nobody offered (commentary, poke) run nowhere.
      log.info(`ignored ${calls.length} tool calls in an answer that was offered no tools`);
      return result;
    }

    messages.push({ role: "assistant", content, toolCalls: calls });
    const room = limits.toolCalls - result.calls;
    const refused = Math.max(0, calls.length - room);
    for (const call of calls.slice(0, Math.max(0, room))) {
      result.calls++;
      let outcome: ToolOutcome;
      if (result.writes >= limits.writes && mayWrite(call)) {
        outcome = {
          summary:
            `Refused: this answer already made ${limits.writes} changes, the most one answer may.`,
          result: JSON.stringify({ refused: "too many changes in one answer" }),
          refused: true,
          wrote: false,
        };
      } else {
        outcome = await options.runTool(call);
      }
      if (outcome.wrote) result.writes++;
      output.tool(call, outcome);
      messages.push({
        role: "tool",
        content: outcome.result,
        toolName: call.name,
        ...(call.id ? { toolCallId: call.id } : {}),
      });
    }
    if (refused > 0) {
      say(
        "error",
        `The model asked for ${refused} more operation${refused === 1 ? "" : "s"} than one ` +
          `answer may run (${limits.toolCalls}); ${
            refused === 1 ? "it was" : "they were"
          } refused and nothing else was changed.`,
      );
      return result;
    }
    if (options.signal.aborted) return result;
  }
  say(
    "error",
    `I stopped after ${limits.rounds} rounds of tool calls without a final answer. ` +
      "What was done so far is listed above; ask again to go on.",
  );
  return result;
}

/** Whether a call may change data (reads never count against the change budget). */
function mayWrite(call: ToolCall): boolean {
  const action = (call.arguments as { action?: unknown } | null)?.action;
  return !["list", "get", "read"].includes(String(action));
}
