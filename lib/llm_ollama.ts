/**
 * @module
 * The Ollama backend: `POST /api/chat` read as NDJSON straight from `fetch`,
 * and `GET /api/tags`. It replaces `npm:ollama`, whose line parser skips an
 * unreadable line with a `console.warn` (so a damaged answer looked whole),
 * turns a mid-stream `{"error"}` line into a bare `Error` that looked like a
 * dead server, and reads a whole error body however large (ollama-js 0.6.4,
 * `parseJSON`, `AbortableAsyncIterator`, `checkOk`). The NDJSON loop is small
 * and every line is ours to judge.
 */

import { errorText, failure, type FailureContext, truncate } from "./llm_error.ts";
import { normalizeModel } from "./llm_names.ts";
import { streamAnswer } from "./llm_answer.ts";
import { fetchModelList, healthyFrom } from "./llm_stream.ts";
import type { BackendOptions, Chunk, Llm, LlmMessage, ModelInfo, ToolCall } from "./llm_types.ts";

/** A message in Ollama's shape (docs/api.md, "Chat request (With history, with tools)"). */
function toWire(message: LlmMessage): Record<string, unknown> {
  if (message.role === "tool") {
    return {
      role: "tool",
      content: message.content,
      tool_name: message.toolName,
      ...(message.toolCallId ? { tool_call_id: message.toolCallId } : {}),
    };
  }
  if (message.role === "assistant" && message.toolCalls?.length) {
    return {
      role: "assistant",
      content: message.content,
      tool_calls: message.toolCalls.map((call) => ({
        ...(call.id ? { id: call.id } : {}),
        function: { name: call.name, arguments: asObject(call.arguments) },
      })),
    };
  }
  return { role: message.role, content: message.content };
}

/** Ollama refuses a request whose past tool call has non-object arguments; send `{}` then. */
function asObject(value: unknown): Record<string, unknown> {
  let v = value;
  if (typeof v === "string") {
    try {
      v = JSON.parse(v);
    } catch {
      return {};
    }
  }
  return v && typeof v === "object" && !Array.isArray(v) ? v as Record<string, unknown> : {};
}

interface WireCall {
  id?: string;
  function?: { name?: string; arguments?: unknown };
}

function toCall(call: WireCall): ToolCall {
  return {
    ...(call.id ? { id: call.id } : {}),
    name: call.function?.name ?? "",
    arguments: call.function?.arguments ?? {},
  };
}

/** The failure for an HTTP error status, from the start of the error body. */
function refusal(
  status: number,
  text: string,
  { context, withTools }: { context: FailureContext; withTools: boolean },
) {
  // "registry.ollama.ai/library/gemma:latest does not support tools" (server/images.go).
  if (withTools && status === 400 && /does not support tools/i.test(text)) {
    return failure("no-tools", context, text, 400);
  }
  // "model 'x' not found" (≥ 0.12), "model \"x\" not found, try pulling it first" (older).
  if (status === 404 && /model/i.test(text) && /not found/i.test(text)) {
    return failure("model-missing", context, text, 404);
  }
  return failure("http", context, text, status);
}

/** An {@linkcode Llm} on the Ollama server at `options.url`. */
export function createOllamaLlm(options: BackendOptions): Llm {
  const { url, log } = options;

  /** The answer's parts from Ollama's NDJSON lines, one JSON object a line. */
  async function* parts(
    lines: AsyncGenerator<string>,
    context: FailureContext,
  ): AsyncGenerator<Chunk> {
    for await (const line of lines) {
      if (line.trim() === "") continue;
      let part;
      try {
        part = JSON.parse(line);
      } catch {
        part = undefined;
      }
      if (!part || typeof part !== "object") {
        log.warn(`unreadable line from Ollama: ${truncate(line, 200)}`);
        throw failure("malformed", context);
      }
      // An error after the answer began comes as one more line on the HTTP 200 stream.
      if (part.error !== undefined) {
        const text = truncate(errorText(part.error), options.maxErrorChars);
        throw failure("stream-error", context, text);
      }
      const message = part.message ?? {};
      if (typeof message.content === "string" && message.content !== "") {
        yield { text: message.content };
      }
      // Tool calls come whole, on a line of their own or on the last line.
      for (const call of message.tool_calls ?? []) yield { tool: toCall(call) };
      if (part.done) {
        yield {
          done: {
            reason: part.done_reason || "stop",
            promptTokens: part.prompt_eval_count,
            answerTokens: part.eval_count,
          },
        };
        return;
      }
    }
    throw failure("cut", context);
  }

  function chat(
    model: string,
    messages: LlmMessage[],
    { signal, tools }: { signal?: AbortSignal; tools?: unknown[] } = {},
  ): AsyncGenerator<Chunk> {
    const context: FailureContext = { api: "ollama", url, model };
    const withTools = Boolean(tools?.length);
    return streamAnswer({
      url: `${url}/api/chat`,
      context,
      signal,
      headers: { accept: "application/x-ndjson" },
      body: () => ({
        model,
        messages: messages.map(toWire),
        stream: true,
        ...(withTools ? { tools } : {}),
        ...(options.contextTokens ? { options: { num_ctx: options.contextTokens } } : {}),
      }),
      refuse: (status, text) => refusal(status, text, { context, withTools }),
      read: (lines) => parts(lines, context),
    }, options);
  }

  async function models(): Promise<ModelInfo[]> {
    const body = await fetchModelList(`${url}/api/tags`, { api: "ollama", url, model: "" }, {
      timeoutMs: options.listTimeoutMs,
      maxErrorChars: options.maxErrorChars,
    });
    const list: Record<string, unknown>[] = Array.isArray(body?.models) ? body.models : [];
    return list.map((m) => {
      const details = (m.details ?? {}) as Record<string, unknown>;
      return {
        name: normalizeModel(String(m.name ?? m.model ?? "")),
        ...(typeof m.size === "number" ? { size: m.size } : {}),
        ...(typeof details.family === "string" ? { family: details.family } : {}),
        ...(typeof details.parameter_size === "string"
          ? { parameterSize: details.parameter_size }
          : {}),
        ...(typeof details.quantization_level === "string"
          ? { quantization: details.quantization_level }
          : {}),
      };
    }).sort((a, b) => a.name.localeCompare(b.name));
  }

  return {
    api: "ollama",
    host: url,
    chat,
    models,
    healthy: healthyFrom(models),
  };
}
