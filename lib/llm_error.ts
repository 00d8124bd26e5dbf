/**
 * @module
 * How an LLM request fails: {@linkcode LlmError} with a `kind` code can react
 * to (the chat answers without tools on "no-tools") and a message a person
 * understands. Text from the server is always cut short: a misbehaving
 * server can send megabytes of error, and that must not reach the chat.
 */

import type { LlmApi } from "./llm_types.ts";

/** What went wrong, for code that reacts to it. */
export type LlmErrorKind =
  | "down"
  | "model-missing"
  | "no-tools"
  | "http"
  | "stream-error"
  | "malformed"
  | "cut"
  | "stall"
  | "stopped";

/** Why an answer failed, in words for the chat. */
export class LlmError extends Error {
  override name = "LlmError";
  /** What went wrong; "http" when the thrower gave none. */
  readonly kind: LlmErrorKind;
  /** The HTTP status, for "model-missing", "no-tools" and "http". */
  readonly status?: number;

  /** An error whose `message` is shown to the person as it is. */
  constructor(
    message: string,
    options: { kind?: LlmErrorKind; status?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.kind = options.kind ?? "http";
    this.status = options.status;
  }
}

/** Who failed, for the messages. */
export interface FailureContext {
  api: LlmApi;
  url: string;
  model: string;
}

/** How much of an error body is read at most, in bytes; the rest is never downloaded. */
const ERROR_BODY_BYTES = 64 * 1024;

/** Collapse whitespace and cut `text` to `max` characters, marking the cut. */
export function truncate(text: string, max: number): string {
  const flat = text.slice(0, max * 4).replace(/\s+/g, " ").trim();
  return flat.length > max ? flat.slice(0, max - 1).trimEnd() + "…" : flat;
}

/** The human part of an error value, in the shapes servers use. */
export function errorText(value: unknown): string {
  if (typeof value === "string") return value;
  const v = value as Record<string, unknown> | null;
  if (v && typeof v === "object") {
    // Ollama `{error: "..."}`, OpenAI and llama.cpp `{error: {message}}`, vLLM before
    // 0.10.1 `{message}`, FastAPI-style proxies `{detail}`.
    for (const candidate of [v.error, (v.error as { message?: unknown })?.message, v.message]) {
      if (typeof candidate === "string") return candidate;
    }
    if (typeof v.detail === "string") return v.detail;
  }
  return JSON.stringify(value) ?? String(value);
}

/** Read at most 64 KiB of a failed response and return its message, truncated. */
export async function readErrorText(response: Response, maxChars: number): Promise<string> {
  let raw = "";
  if (response.body) {
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let bytes = 0;
    try {
      while (bytes < ERROR_BODY_BYTES) {
        const { done, value } = await reader.read();
        if (done) break;
        bytes += value.length;
        raw += decoder.decode(value, { stream: true });
      }
    } catch { /* a body that breaks off still has a useful start */ }
    await reader.cancel().catch(() => {});
  }
  let text: string;
  try {
    text = errorText(JSON.parse(raw));
  } catch {
    // Cut short or not JSON: take the first "error"/"message" string if there is one.
    const found = raw.match(/"(?:error|message)"\s*:\s*"((?:[^"\\]|\\.)*)/)?.[1];
    text = found === undefined ? raw : unescape(found);
  }
  return truncate(text, maxChars) || `${response.status} ${response.statusText}`.trim();
}

function unescape(jsonString: string): string {
  try {
    return JSON.parse(`"${jsonString}"`);
  } catch {
    return jsonString;
  }
}

/** What the messages call the server: "Ollama", or "the model server" for OpenAI-compatible ones. */
export function serverName(api: LlmApi, startOfSentence = false): string {
  if (api === "ollama") return "Ollama";
  return startOfSentence ? "The model server" : "the model server";
}

/** The error for `kind`, with a message that says what to do; `detail` is server text. */
export function failure(
  kind: LlmErrorKind,
  context: FailureContext,
  detail = "",
  status?: number,
): LlmError {
  const name = serverName(context.api, true);
  const inner = serverName(context.api);
  const { model, url } = context;
  const messages: Record<LlmErrorKind, () => string> = {
    "down": () =>
      context.api === "ollama"
        ? `Ollama is not answering at ${url}. Is it running? (start it with: ollama serve)`
        : `The model server is not answering at ${url}. Is it running?`,
    "model-missing": () =>
      context.api === "ollama"
        ? `The model "${model}" is not on the Ollama server. Pull it with: ollama pull ${model}`
        : `The model "${model}" is not available at ${url}: ${detail}`,
    "no-tools": () =>
      `The model "${model}" does not support tools, so it cannot act on Cardflow's data ` +
      `(${inner} said: ${detail}).`,
    "http": () => `${name} answered with an error (${status}): ${detail}`,
    "stream-error": () => `${name} reported an error: ${detail}`,
    "malformed": () =>
      `The answer was cut off: ${inner} sent an unreadable ${detail || "line"}, ` +
      "so the answer may be incomplete.",
    "cut": () =>
      `The answer was cut off: ${inner} closed the stream before the answer was complete.`,
    "stall": () => detail || `${name} stopped sending; the answer was stopped.`,
    "stopped": () => "Stopped.",
  };
  return new LlmError(messages[kind](), { kind, status });
}
