/**
 * @module
 * The local LLM: streaming chat with tool calls, a stall timeout and an
 * abort signal, the model list and a health check, over Ollama's own API or
 * any OpenAI-compatible server. Every failure is an {@linkcode LlmError}
 * with a `kind` and a message that tells a person what to do; warnings go to
 * the logger passed in, never to the console.
 *
 * @example
 * ```ts ignore
 * const llm = createLlm({ host: "http://127.0.0.1:11434", log });
 * for await (const chunk of llm.chat("llama3.2", [{ role: "user", content: "Hi" }])) {
 *   if ("text" in chunk) show(chunk.text);
 * }
 * ```
 */

import { type Logger, silentLogger } from "./log.ts";
import { createOllamaLlm } from "./llm_ollama.ts";
import { createOpenAiLlm } from "./llm_openai.ts";
import type { Llm } from "./llm_types.ts";

export { LlmError, type LlmErrorKind } from "./llm_error.ts";
export { normalizeModel, sameModel } from "./llm_names.ts";
export type {
  ChatOptions,
  Chunk,
  DoneInfo,
  Llm,
  LlmApi,
  LlmMessage,
  ModelInfo,
  ToolCall,
  ToolSpec,
} from "./llm_types.ts";

/** Defaults for {@linkcode LlmOptions}. */
export const LLM_DEFAULTS = {
  api: "ollama",
  /** Stop an answer that sends nothing for this long, in ms. */
  stallMs: 30_000,
  /** Wait this long for an answer to begin: loading a large model takes minutes. */
  startMs: 300_000,
  /** Give up on the model list after this long, in ms (the status light asks often). */
  listTimeoutMs: 5_000,
  /** Server error text is cut to this many characters. */
  maxErrorChars: 300,
  /** A streamed line longer than this is refused rather than buffered. */
  maxLineChars: 8 * 1024 * 1024,
  /** Ask OpenAI-compatible servers for token counts (`stream_options.include_usage`). */
  streamUsage: true,
} as const;

/** Options both backends take. */
interface CommonOptions {
  stallMs?: number;
  startMs?: number;
  listTimeoutMs?: number;
  maxErrorChars?: number;
  maxLineChars?: number;
  /** Where warnings go (an unreadable line, say); silent when omitted. */
  log?: Logger;
}

/** An Ollama server, spoken to through its own API. */
export interface OllamaOptions extends CommonOptions {
  api?: "ollama";
  /** For example `http://127.0.0.1:11434`; `127.0.0.1:11434` works too. */
  host: string;
  /**
   * The context window to ask for (Ollama's `num_ctx`), in tokens; Ollama's
   * own default (4,096 on most machines) when omitted.
   */
  contextTokens?: number;
}

/** An OpenAI-compatible server. */
export interface OpenAiOptions extends CommonOptions {
  api: "openai";
  /** The base URL the paths hang off, usually ending in `/v1`. */
  url: string;
  /** Sent as `Authorization: Bearer`; local servers usually need none. */
  apiKey?: string;
  streamUsage?: boolean;
}

/** Options for {@linkcode createLlm}. */
export type LlmOptions = OllamaOptions | OpenAiOptions;

function baseUrl(address: string): string {
  const withScheme = /^https?:\/\//i.test(address) ? address : `http://${address}`;
  return withScheme.replace(/\/+$/, "");
}

/** Connect to the server `options` describe (nothing is sent until the first call). */
export function createLlm(options: LlmOptions): Llm {
  const common = {
    stallMs: options.stallMs ?? LLM_DEFAULTS.stallMs,
    startMs: options.startMs ?? LLM_DEFAULTS.startMs,
    listTimeoutMs: options.listTimeoutMs ?? LLM_DEFAULTS.listTimeoutMs,
    maxErrorChars: options.maxErrorChars ?? LLM_DEFAULTS.maxErrorChars,
    maxLineChars: options.maxLineChars ?? LLM_DEFAULTS.maxLineChars,
    log: options.log ?? silentLogger(),
  };
  if (options.api === "openai") {
    return createOpenAiLlm({
      ...common,
      url: baseUrl(options.url),
      apiKey: options.apiKey,
      streamUsage: options.streamUsage ?? LLM_DEFAULTS.streamUsage,
    });
  }
  return createOllamaLlm({
    ...common,
    url: baseUrl(options.host),
    streamUsage: false,
    ...(options.contextTokens ? { contextTokens: options.contextTokens } : {}),
  });
}
