/**
 * @module
 * A fake OpenAI-compatible server for tests, written from the OpenAI API
 * reference and openai-node's types (`ChatCompletionChunk`): real HTTP on
 * loopback, `POST /v1/chat/completions` as Server-Sent Events (`data: {…}`
 * deltas, tool-call arguments in fragments keyed by `index`, a finish chunk
 * with `delta: {}`, a usage chunk when asked, `data: [DONE]`), `GET
 * /v1/models`, `{"error": {"message", …}}` bodies, and the faults real
 * servers show, including the frames llama.cpp and LM Studio use for errors.
 */

import { outletStream, serveLoopback } from "./loopback_server.ts";

/** How a scripted answer goes wrong. */
export type FakeOpenAiFault =
  /** HTTP 500 with an error body. */
  | "500"
  /** HTTP 500 with a 2 MB error message. */
  | "oversize"
  /** After the tokens, `data: {"error": {…}}` and the end (OpenAI, vLLM, llama.cpp today). */
  | "error-midstream"
  /** After the tokens, `event: error` with the error as data (LM Studio). */
  | "error-event"
  /** After the tokens, a bare `error: {…}` field (llama.cpp before September 2025). */
  | "legacy-error"
  /** After the tokens, a `data:` frame that is not JSON, then the usual end. */
  | "malformed"
  /** After the tokens, the stream ends: no finish reason, no `[DONE]`. */
  | "cut"
  /** After the tokens, nothing more until the client gives up. */
  | "stall"
  /** The finish chunk arrives but `[DONE]` does not. */
  | "no-done";

/** One scripted answer. */
export interface FakeOpenAiReply {
  tokens?: string[];
  /** Pause before each token, in ms. */
  delayMs?: number;
  /** Calls streamed in fragments; a string `arguments` is sent as it is (even if not JSON). */
  toolCalls?: { name: string; arguments: unknown; id?: string }[];
  /** Send each call whole in one delta, as Ollama's `/v1` does. */
  wholeToolCalls?: boolean;
  fault?: FakeOpenAiFault;
  errorText?: string;
  finishReason?: "stop" | "length";
}

/** A model the fake serves; `tools: false` refuses requests that offer tools. */
export interface FakeOpenAiModel {
  id: string;
  tools?: boolean;
}

/** The running fake. */
export interface FakeOpenAi {
  /** The base URL, ending in `/v1`. */
  url: string;
  replies: FakeOpenAiReply[];
  /** Bodies of every chat request. */
  requests: Record<string, unknown>[];
  models: (string | FakeOpenAiModel)[];
  /** `performance.now()` when each token frame was written. */
  sentAt: number[];
  close(): Promise<void>;
}

/** Options for {@linkcode startFakeOpenAi}. */
export interface FakeOpenAiOptions {
  models?: (string | FakeOpenAiModel)[];
  /** Require `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
}

const encoder = new TextEncoder();

/** An error body as OpenAI sends it. */
function apiError(status: number, message: string, type: string, code: string | null = null) {
  return Response.json({ error: { message, type, param: null, code } }, { status });
}

/** Cut `text` into about three pieces, as a model streams arguments. */
function fragments(text: string): string[] {
  const step = Math.max(1, Math.ceil(text.length / 3));
  const out: string[] = [];
  for (let i = 0; i < text.length; i += step) out.push(text.slice(i, i + step));
  return out.length ? out : [""];
}

/** Start the fake on a free loopback port. */
export async function startFakeOpenAi(options: FakeOpenAiOptions = {}): Promise<FakeOpenAi> {
  const fake: FakeOpenAi = {
    url: "",
    replies: [],
    requests: [],
    models: options.models ?? ["qwen2.5-7b-instruct"],
    sentAt: [],
    close: () => server.close(),
  };
  const modelOf = (m: string | FakeOpenAiModel) => typeof m === "string" ? { id: m } : m;

  async function chat(request: Request): Promise<Response> {
    const body = await request.json();
    fake.requests.push(body);
    const found = fake.models.map(modelOf).find((m) => m.id === body.model);
    if (!found) {
      return apiError(
        404,
        `The model \`${body.model}\` does not exist or you do not have access to it.`,
        "invalid_request_error",
        "model_not_found",
      );
    }
    if (body.tools?.length && found.tools === false) {
      return apiError(400, "tools param requires --jinja flag", "invalid_request_error");
    }
    const reply = fake.replies.shift() ?? { tokens: ["Hello", " there", "!"] };
    if (reply.fault === "500") {
      return apiError(
        500,
        reply.errorText ?? "The server had an error while processing your request.",
        "server_error",
      );
    }
    if (reply.fault === "oversize") {
      return apiError(500, "x".repeat(2 * 1024 * 1024), "server_error");
    }
    const id = `chatcmpl-${crypto.randomUUID().slice(0, 8)}`;
    const created = Math.floor(Date.now() / 1000);
    const frame = (choices: unknown[], extra: Record<string, unknown> = {}) =>
      `data: ${
        JSON.stringify({
          id,
          object: "chat.completion.chunk",
          created,
          model: body.model,
          system_fingerprint: "fp_fake",
          choices,
          ...extra,
        })
      }\n\n`;
    const delta = (d: Record<string, unknown>, finish: string | null = null) =>
      frame([{ index: 0, delta: d, logprobs: null, finish_reason: finish }]);
    const errorBody = {
      error: {
        message: reply.errorText ?? "an error was encountered while running the model",
        type: "server_error",
      },
    };
    const stream = outletStream(async ({ out, left, gone }) => {
      const write = (text: string) => out.enqueue(encoder.encode(text));
      write(delta({ role: "assistant", content: "" }));
      for (const token of reply.tokens ?? []) {
        if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
        if (left()) return;
        fake.sentAt.push(performance.now());
        write(delta({ content: token }));
      }
      if (reply.fault === "error-midstream") {
        write(`data: ${JSON.stringify(errorBody)}\n\n`);
        return out.close();
      }
      if (reply.fault === "error-event") {
        write(`event: error\ndata: ${JSON.stringify(errorBody)}\n\n`);
        return out.close();
      }
      if (reply.fault === "legacy-error") {
        write(`error: ${JSON.stringify({ code: 500, ...errorBody.error })}\n\n`);
        return out.close();
      }
      if (reply.fault === "cut") return out.close();
      if (reply.fault === "stall") return await gone;
      if (reply.fault === "malformed") write('data: {"id": "oops", "choices": [\n\n');
      for (const [index, call] of (reply.toolCalls ?? []).entries()) {
        const callId = call.id ?? `call_${crypto.randomUUID().replaceAll("-", "").slice(0, 24)}`;
        const args = typeof call.arguments === "string"
          ? call.arguments
          : JSON.stringify(call.arguments);
        const head = { index, id: callId, type: "function" };
        if (reply.wholeToolCalls) {
          write(
            delta({ tool_calls: [{ ...head, function: { name: call.name, arguments: args } }] }),
          );
          continue;
        }
        write(delta({ tool_calls: [{ ...head, function: { name: call.name, arguments: "" } }] }));
        for (const piece of fragments(args)) {
          write(delta({ tool_calls: [{ index, function: { arguments: piece } }] }));
        }
      }
      const finish = reply.finishReason ?? (reply.toolCalls?.length ? "tool_calls" : "stop");
      write(delta({}, finish));
      if (body.stream_options?.include_usage) {
        const completion = reply.tokens?.length ?? 0;
        const prompt = body.messages?.length ?? 0;
        write(frame([], {
          usage: {
            prompt_tokens: prompt,
            completion_tokens: completion,
            total_tokens: prompt + completion,
          },
        }));
      }
      if (reply.fault !== "no-done") write("data: [DONE]\n\n");
      out.close();
    });
    return new Response(stream, {
      headers: { "content-type": "text/event-stream", "cache-control": "no-cache" },
    });
  }

  const server = serveLoopback((request) => {
    if (options.apiKey && request.headers.get("authorization") !== `Bearer ${options.apiKey}`) {
      return apiError(
        401,
        "Incorrect API key provided: sk-wrong. You can find your API key at https://platform.openai.com/account/api-keys.",
        "invalid_request_error",
        "invalid_api_key",
      );
    }
    const path = new URL(request.url).pathname;
    if (path === "/v1/models") {
      return Response.json({
        object: "list",
        data: fake.models.map(modelOf).map((m) => ({
          id: m.id,
          object: "model",
          created: 1_686_935_002,
          owned_by: "system",
        })),
      });
    }
    if (path === "/v1/chat/completions" && request.method === "POST") return chat(request);
    return apiError(404, `Invalid URL (${request.method} ${path})`, "invalid_request_error");
  });
  fake.url = `${await server.ready}/v1`;
  return fake;
}
