/**
 * @module
 * The OpenAI-compatible backend (llama.cpp server, LM Studio, vLLM, Ollama's
 * `/v1`, hosted APIs): `POST {url}/chat/completions` read as Server-Sent
 * Events, and `GET {url}/models`. Plain `fetch` rather than `npm:openai`:
 * the client (13–25 MB, retries twice by default, wants an API key even for
 * a local server) ends a stream without `[DONE]` as if it were complete and
 * drops llama.cpp's bare `error:` frames, so we would re-check every case
 * it hides; the wire format is small (see `llm_stream.ts`).
 */

import { errorText, failure, type FailureContext, truncate } from "./llm_error.ts";
import { streamAnswer } from "./llm_answer.ts";
import { fetchModelList, healthyFrom, readEvents } from "./llm_stream.ts";
import type { BackendOptions, Chunk, DoneInfo, Llm, LlmMessage, ModelInfo } from "./llm_types.ts";

// Ollama /v1 "… does not support tools"; llama.cpp without --jinja "tools param requires
// --jinja flag"; vLLM without a parser "… requires --enable-auto-tool-choice …".
const NO_TOOLS = /does not support tools|tools param requires|enable-auto-tool-choice/i;

/** Messages in OpenAI's shape; calls without an id get one, and results find theirs. */
function toWire(messages: LlmMessage[]): Record<string, unknown>[] {
  let open: { id: string; name: string }[] = [];
  let made = 0;
  return messages.map((message) => {
    if (message.role === "assistant" && message.toolCalls?.length) {
      open = message.toolCalls.map((c) => ({ id: c.id ?? `call_${made++}`, name: c.name }));
      return {
        role: "assistant",
        content: message.content || null,
        tool_calls: message.toolCalls.map((call, i) => ({
          id: open[i]!.id,
          type: "function",
          function: {
            name: call.name,
            arguments: typeof call.arguments === "string"
              ? call.arguments
              : JSON.stringify(call.arguments ?? {}),
          },
        })),
      };
    }
    if (message.role === "tool") {
      const i = open.findIndex((c) =>
        message.toolCallId ? c.id === message.toolCallId : c.name === message.toolName
      );
      const id = message.toolCallId ?? open[i]?.id ?? `call_${made++}`;
      if (i !== -1) open.splice(i, 1);
      return { role: "tool", content: message.content, tool_call_id: id };
    }
    return { role: message.role, content: message.content };
  });
}

/** The failure for an HTTP error status, from the start of the error body. */
function refusal(
  status: number,
  text: string,
  { context, withTools }: { context: FailureContext; withTools: boolean },
) {
  if (withTools && NO_TOOLS.test(text)) return failure("no-tools", context, text, status);
  if (status === 404 && /model/i.test(text)) {
    return failure("model-missing", context, text, 404);
  }
  return failure("http", context, text, status);
}

/** A tool call being assembled from fragments keyed by `index`. */
interface Pending {
  id?: string;
  name: string;
  arguments: string;
}

/** An {@linkcode Llm} on the OpenAI-compatible server whose base URL is `options.url`. */
export function createOpenAiLlm(options: BackendOptions): Llm {
  const { url, log } = options;
  const auth: Record<string, string> = options.apiKey
    ? { authorization: `Bearer ${options.apiKey}` }
    : {};

  function assembled(call: Pending, context: FailureContext): Chunk {
    try {
      const args = call.arguments.trim() === "" ? {} : JSON.parse(call.arguments);
      return { tool: { ...(call.id ? { id: call.id } : {}), name: call.name, arguments: args } };
    } catch {
      log.warn(
        `unreadable arguments for tool call "${call.name}": ${truncate(call.arguments, 200)}`,
      );
      throw failure("malformed", context, `tool call ("${truncate(call.name, 60)}")`);
    }
  }

  /** The answer's parts from the Server-Sent Events in `lines`, tool calls assembled. */
  async function* parts(
    lines: AsyncGenerator<string>,
    context: FailureContext,
  ): AsyncGenerator<Chunk> {
    const calls = new Map<number, Pending>();
    let finished = false;
    let reason: string | undefined;
    let usage: { prompt_tokens?: number; completion_tokens?: number } | undefined;
    function* flush(): Generator<Chunk> {
      for (const index of [...calls.keys()].sort((a, b) => a - b)) {
        yield assembled(calls.get(index)!, context);
      }
      calls.clear();
    }
    for await (const event of readEvents(lines)) {
      if (event.data === "[DONE]") {
        finished = true;
        break;
      }
      let part;
      try {
        part = JSON.parse(event.data);
      } catch {
        part = undefined;
      }
      if (!part || typeof part !== "object") {
        log.warn(`unreadable event from the model server: ${truncate(event.data, 200)}`);
        throw failure("malformed", context);
      }
      if (event.event === "error" || part.error !== undefined) {
        const text = truncate(errorText(part), options.maxErrorChars);
        throw failure("stream-error", context, text);
      }
      if (part.usage) usage = part.usage;
      // Only one choice is asked for; the usage chunk has none (`[]`, or `null` on vLLM).
      const choice = part.choices?.[0];
      if (!choice) continue;
      const delta = choice.delta ?? {};
      if (typeof delta.content === "string" && delta.content !== "") {
        yield { text: delta.content };
      }
      for (const fragment of delta.tool_calls ?? []) {
        const index = fragment.index ?? 0;
        const call = calls.get(index) ?? { name: "", arguments: "" };
        if (fragment.id) call.id = fragment.id;
        // The name comes in the first fragment; some servers repeat it in every one.
        const name = fragment.function?.name;
        if (name && name !== call.name) call.name += name;
        if (fragment.function?.arguments) call.arguments += fragment.function.arguments;
        calls.set(index, call);
      }
      if (choice.finish_reason) {
        // Every fragment is in: hand the calls on now; the usage chunk may still follow.
        yield* flush();
        reason = choice.finish_reason;
      }
    }
    // `[DONE]` ends a stream; without it, only a finish reason says the answer was whole.
    if (!finished && !reason) throw failure("cut", context);
    if (calls.size) reason ??= "tool_calls";
    yield* flush();
    const done: DoneInfo = { reason: reason ?? "stop" };
    if (typeof usage?.prompt_tokens === "number") done.promptTokens = usage.prompt_tokens;
    if (typeof usage?.completion_tokens === "number") {
      done.answerTokens = usage.completion_tokens;
    }
    yield { done };
  }

  function chat(
    model: string,
    messages: LlmMessage[],
    { signal, tools }: { signal?: AbortSignal; tools?: unknown[] } = {},
  ): AsyncGenerator<Chunk> {
    const context: FailureContext = { api: "openai", url, model };
    const withTools = Boolean(tools?.length);
    return streamAnswer({
      url: `${url}/chat/completions`,
      context,
      signal,
      headers: { accept: "text/event-stream", ...auth },
      body: () => ({
        model,
        messages: toWire(messages),
        stream: true,
        ...(options.streamUsage ? { stream_options: { include_usage: true } } : {}),
        ...(withTools ? { tools } : {}),
      }),
      refuse: (status, text) => refusal(status, text, { context, withTools }),
      read: (lines) => parts(lines, context),
    }, options);
  }

  async function models(): Promise<ModelInfo[]> {
    const body = await fetchModelList(`${url}/models`, { api: "openai", url, model: "" }, {
      headers: auth,
      timeoutMs: options.listTimeoutMs,
      maxErrorChars: options.maxErrorChars,
    });
    const list: Record<string, unknown>[] = Array.isArray(body?.data) ? body.data : [];
    return list.map((m) => {
      // llama.cpp adds `meta.size`; the standard list has only ids.
      const size = (m.meta as { size?: unknown } | undefined)?.size;
      return { name: String(m.id ?? ""), ...(typeof size === "number" ? { size } : {}) };
    }).sort((a, b) => a.name.localeCompare(b.name));
  }

  return {
    api: "openai",
    host: url,
    chat,
    models,
    healthy: healthyFrom(models),
  };
}
