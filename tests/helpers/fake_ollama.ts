/**
 * @module
 * A fake Ollama for tests: real HTTP on loopback speaking Ollama's API as
 * its docs and server describe it (docs/api.md; server/routes.go; see
 * tests/fake_ollama_test.ts, which checks it against the documented
 * examples), not as Cardflow's client expects it. Models carry tags
 * (`llama3.2:latest`) and are matched the way Ollama matches them; answers
 * are scripted; every fault a real server shows can be asked for.
 * `close()` makes it "down".
 */

import { outletStream, serveLoopback } from "./loopback_server.ts";

/** How a scripted answer goes wrong. */
export type FakeFault =
  /** HTTP 500 `{"error"}` before anything streams. */
  | "500"
  /** HTTP 500 with a 2 MB `{"error"}` body. */
  | "oversize"
  /** After the tokens, an `{"error"}` line on the HTTP 200 stream, and the end. */
  | "error-midstream"
  /** After the tokens, a line that is not JSON, then the usual last line. */
  | "malformed"
  /** After the tokens, the stream ends with no `done` line. */
  | "cut"
  /** After the tokens, nothing more until the client gives up. */
  | "stall";

/** One scripted answer. */
export interface FakeReply {
  tokens?: string[];
  /** Pause before each token, in ms. */
  delayMs?: number;
  /** Function calls, whole, on a line before the last one (or on it, see `toolCallsOnDone`). */
  toolCalls?: { name: string; arguments: unknown; id?: string }[];
  /** Put the tool calls on the `done: true` line, as Ollama sometimes does. */
  toolCallsOnDone?: boolean;
  fault?: FakeFault;
  /** The server's text for "500", "error-midstream". */
  errorText?: string;
  /** `done_reason` of the last line. */
  doneReason?: "stop" | "length";
  /** Write every line in two network writes, splitting a multibyte character if there is one. */
  split?: boolean;
}

/** A model the fake has; a plain string is a name with default details. */
export interface FakeModel {
  name: string;
  size?: number;
  family?: string;
  parameterSize?: string;
  quantization?: string;
  /** `false`: a request with tools gets Ollama's 400 "does not support tools". */
  tools?: boolean;
}

/** A message as it arrived at `/api/chat`. */
export interface FakeMessage {
  role: string;
  content: string;
  tool_calls?: { id?: string; function: { name: string; arguments: unknown } }[];
  tool_name?: string;
  tool_call_id?: string;
}

/** The running fake. */
export interface FakeOllama {
  url: string;
  /** Answers to give, first in first out; a default greeting when empty. */
  replies: FakeReply[];
  /** Bodies of every `/api/chat` request. */
  requests: {
    model: string;
    messages: FakeMessage[];
    tools?: unknown[];
    stream?: boolean;
    /** Model options such as `num_ctx` (the context window). */
    options?: Record<string, unknown>;
  }[];
  /** Models `/api/tags` lists; other names get Ollama's 404 from `/api/chat`. */
  models: (string | FakeModel)[];
  /** `performance.now()` when each token line was written (relay benchmark). */
  sentAt: number[];
  close(): Promise<void>;
}

/** Options for {@linkcode startFakeOllama}. */
export interface FakeOllamaOptions {
  models?: (string | FakeModel)[];
  /** Answer a missing model as Ollama before 0.12 did ("…, try pulling it first"). */
  legacyNotFound?: boolean;
  /** Listen on this port (an Ollama coming back where it was); a free one when omitted. */
  port?: number;
}

const encoder = new TextEncoder();

/** Ollama's reading of a name: default registry and namespace, tag `latest`, any case. */
export function ollamaName(name: string): string {
  const short = name.trim().toLowerCase()
    .replace(/^registry\.ollama\.ai\//, "").replace(/^library\//, "");
  return short.slice(short.lastIndexOf("/") + 1).includes(":") ? short : `${short}:latest`;
}

function model(entry: string | FakeModel): FakeModel {
  return typeof entry === "string" ? { name: entry } : entry;
}

/** `/api/tags` as docs/api.md "List Local Models" shows it. */
function tags(models: (string | FakeModel)[]) {
  return {
    models: models.map(model).map((m) => ({
      name: ollamaName(m.name),
      model: ollamaName(m.name),
      modified_at: "2026-11-01T10:00:00.000000000Z",
      size: m.size ?? 2_019_393_189,
      digest: "a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72",
      details: {
        parent_model: "",
        format: "gguf",
        family: m.family ?? "llama",
        families: [m.family ?? "llama"],
        parameter_size: m.parameterSize ?? "3.2B",
        quantization_level: m.quantization ?? "Q4_K_M",
      },
    })),
  };
}

function jsonError(status: number, error: string): Response {
  return Response.json({ error }, {
    status,
    headers: { "content-type": "application/json; charset=utf-8" },
  });
}

/** A random `call_` id like Ollama ≥ 0.13 gives (`toolCallId()` in server/routes.go). */
function callId(): string {
  return "call_" + crypto.randomUUID().replaceAll("-", "").slice(0, 8);
}

/** Start the fake on a free loopback port, or on `options.port`. */
export async function startFakeOllama(options: FakeOllamaOptions = {}): Promise<FakeOllama> {
  const fake: FakeOllama = {
    url: "",
    replies: [],
    requests: [],
    models: options.models ?? ["llama3.2:latest"],
    sentAt: [],
    close: () => server.close(),
  };

  async function chat(request: Request): Promise<Response> {
    const body = await request.json();
    fake.requests.push(body);
    const found = fake.models.map(model).find((m) => ollamaName(m.name) === ollamaName(body.model));
    if (!found) {
      return jsonError(
        404,
        options.legacyNotFound
          ? `model "${body.model}" not found, try pulling it first`
          : `model '${body.model}' not found`,
      );
    }
    if (body.tools?.length && found.tools === false) {
      const full = ollamaName(found.name);
      const qualified = full.includes("/") ? full : `library/${full}`;
      return jsonError(400, `registry.ollama.ai/${qualified} does not support tools`);
    }
    const line = (fields: Record<string, unknown>) =>
      JSON.stringify({ model: body.model, created_at: new Date().toISOString(), ...fields }) + "\n";
    // No messages only loads the model (docs/api.md, "Load a model").
    if (Array.isArray(body.messages) && body.messages.length === 0) {
      const loaded = { role: "assistant", content: "" };
      return new Response(line({ message: loaded, done_reason: "load", done: true }), {
        headers: { "content-type": "application/json; charset=utf-8" },
      });
    }
    const reply = fake.replies.shift() ?? { tokens: ["Hello", " there", "!"] };
    if (reply.fault === "500") {
      return jsonError(
        500,
        reply.errorText ?? "llama runner process has terminated: signal: killed",
      );
    }
    if (reply.fault === "oversize") return jsonError(500, "x".repeat(2 * 1024 * 1024));
    const chunk = (message: Record<string, unknown>, done = false) =>
      line({ message: { role: "assistant", content: "", ...message }, done });
    const calls = (reply.toolCalls ?? []).map((c, index) => ({
      id: c.id ?? callId(),
      function: { index, name: c.name, arguments: c.arguments },
    }));
    const stream = outletStream(async ({ out, left, gone }) => {
      const write = async (text: string) => {
        const bytes = encoder.encode(text);
        if (!reply.split) return out.enqueue(bytes);
        // Split inside the first multibyte character, or else in the middle.
        const wide = bytes.findIndex((b) => b >= 0x80);
        const half = wide === -1 ? Math.max(1, bytes.length >> 1) : wide + 1;
        out.enqueue(bytes.slice(0, half));
        await new Promise((r) => setTimeout(r, 1));
        out.enqueue(bytes.slice(half));
      };
      for (const token of reply.tokens ?? []) {
        if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
        if (left()) return;
        fake.sentAt.push(performance.now());
        await write(chunk({ content: token }));
      }
      if (reply.fault === "error-midstream") {
        await write(
          JSON.stringify({
            error: reply.errorText ?? "an error was encountered while running the model",
          }) + "\n",
        );
        return out.close();
      }
      if (reply.fault === "cut") return out.close();
      if (reply.fault === "stall") {
        await gone;
        return;
      }
      if (reply.fault === "malformed") {
        await write('{"model": "oops", "message": {"content": "unterminated\n');
      }
      if (calls.length && !reply.toolCallsOnDone) await write(chunk({ tool_calls: calls }));
      const evalCount = reply.tokens?.length ?? 0;
      await write(line({
        message: {
          role: "assistant",
          content: "",
          ...(calls.length && reply.toolCallsOnDone ? { tool_calls: calls } : {}),
        },
        done_reason: reply.doneReason ?? "stop",
        done: true,
        total_duration: 182_242_375,
        load_duration: 41_295_167,
        prompt_eval_count: body.messages?.length ?? 0,
        prompt_eval_duration: 24_573_166,
        eval_count: evalCount,
        eval_duration: 115_959_084,
      }));
      out.close();
    });
    return new Response(stream, { headers: { "content-type": "application/x-ndjson" } });
  }

  const server = serveLoopback((request) => {
    const path = new URL(request.url).pathname;
    if (path === "/") return new Response("Ollama is running");
    if (path === "/api/version") return Response.json({ version: "0.13.0" });
    if (path === "/api/tags") return Response.json(tags(fake.models));
    if (path === "/api/chat" && request.method === "POST") return chat(request);
    return new Response("404 page not found", { status: 404 });
  }, options.port);
  fake.url = await server.ready;
  return fake;
}
