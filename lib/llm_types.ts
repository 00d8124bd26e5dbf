/**
 * @module
 * The shapes every LLM backend shares: messages in, chunks out, the model
 * list and the {@linkcode Llm} interface. Kept apart from `llm.ts` so the
 * backends can import them without importing the module that picks them.
 */

import type { Logger } from "./log.ts";

/** A tool call the model made; `arguments` is usually an object. */
export interface ToolCall {
  /** The server's id for the call, when it gives one (OpenAI always, Ollama ≥ 0.13). */
  id?: string;
  name: string;
  arguments: unknown;
}

/** A tool the model may call, in the JSON-schema form both APIs take. */
export interface ToolSpec {
  type: "function";
  function: { name: string; description: string; parameters: Record<string, unknown> };
}

/** One message of a conversation; each backend maps it to its wire format. */
export type LlmMessage =
  | { role: "system" | "user"; content: string }
  | { role: "assistant"; content: string; toolCalls?: ToolCall[] }
  | { role: "tool"; content: string; toolName: string; toolCallId?: string };

/** How an answer ended, from the server's last line. */
export interface DoneInfo {
  /** Ollama's `done_reason` or OpenAI's `finish_reason`: "stop", "length", "tool_calls"... */
  reason: string;
  promptTokens?: number;
  answerTokens?: number;
}

/** A piece of a streamed answer: text, a whole tool call, or the end. */
export type Chunk = { text: string } | { tool: ToolCall } | { done: DoneInfo };

/** A model the server has. */
export interface ModelInfo {
  /** Normalised with {@linkcode normalizeModel} for Ollama; as the server says otherwise. */
  name: string;
  /** Size on disk in bytes. */
  size?: number;
  family?: string;
  /** For example "3.2B". */
  parameterSize?: string;
  /** For example "Q4_K_M". */
  quantization?: string;
}

/** Options for one {@linkcode Llm.chat} call. */
export interface ChatOptions {
  signal?: AbortSignal;
  tools?: ToolSpec[];
}

/** Which wire protocol a server speaks. */
export type LlmApi = "ollama" | "openai";

/** What the rest of Cardflow uses. */
export interface Llm {
  readonly api: LlmApi;
  /** The server's address (Ollama's host, or the OpenAI base URL). */
  readonly host: string;
  /** Stream an answer; throws `LlmError`, and ends with one `{done}` chunk. */
  chat(model: string, messages: LlmMessage[], options?: ChatOptions): AsyncIterable<Chunk>;
  /** The models the server has, sorted by name. */
  models(): Promise<ModelInfo[]>;
  /** Whether the server answers. */
  healthy(): Promise<boolean>;
}

/** Everything a backend needs, defaults already applied (see `LLM_DEFAULTS`). */
export interface BackendOptions {
  /** Base address without a trailing slash. */
  url: string;
  apiKey?: string;
  stallMs: number;
  startMs: number;
  listTimeoutMs: number;
  maxErrorChars: number;
  maxLineChars: number;
  streamUsage: boolean;
  /** Ollama only: the context window to load the model with (`options.num_ctx`), in tokens. */
  contextTokens?: number;
  log: Logger;
}
