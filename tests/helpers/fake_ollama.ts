/**
 * @module
 * A fake Ollama for tests: real HTTP on loopback, the real wire format
 * (NDJSON streaming on `/api/chat`, `/api/tags`), scripted answers, and the
 * faults a real server shows: a missing model, an HTTP error, a stream cut
 * short, a stall, a malformed line. `close()` makes it "down".
 */

/** One scripted answer. */
export interface FakeReply {
  tokens?: string[];
  /** Pause before each token, in ms. */
  delayMs?: number;
  /** Function calls sent after the tokens. */
  toolCalls?: { name: string; arguments: unknown }[];
  fault?: "cut" | "stall" | "malformed" | "500";
}

/** The running fake. */
export interface FakeOllama {
  url: string;
  /** Answers to give, first in first out; a default greeting when empty. */
  replies: FakeReply[];
  /** Bodies of every `/api/chat` request. */
  requests: { model: string; messages: { role: string; content: string }[]; tools?: unknown[] }[];
  /** Models `/api/tags` lists; other names get a 404 from `/api/chat`. */
  models: string[];
  /** `performance.now()` when each token line was written (relay benchmark). */
  sentAt: number[];
  close(): Promise<void>;
}

const encoder = new TextEncoder();

/** Start the fake on a free loopback port. */
export function startFakeOllama(options: { models?: string[] } = {}): Promise<FakeOllama> {
  const controller = new AbortController();
  const { promise, resolve } = Promise.withResolvers<FakeOllama>();
  const fake: Omit<FakeOllama, "url" | "close"> = {
    replies: [],
    requests: [],
    models: options.models ?? ["llama3.2"],
    sentAt: [],
  };
  const line = (model: string, content: string, extra: Record<string, unknown> = {}) =>
    encoder.encode(
      JSON.stringify({
        model,
        created_at: new Date().toISOString(),
        message: { role: "assistant", content },
        done: false,
        ...extra,
      }) + "\n",
    );

  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    signal: controller.signal,
    onListen: ({ port }) =>
      resolve({
        ...fake,
        url: `http://127.0.0.1:${port}`,
        async close() {
          controller.abort();
          await server.finished;
        },
      } as FakeOllama),
  }, async (request) => {
    const path = new URL(request.url).pathname;
    if (path === "/api/tags") {
      return Response.json({
        models: fake.models.map((name) => ({
          name,
          model: name,
          modified_at: "2026-11-01T00:00:00Z",
          size: 2_000_000_000,
          digest: "sha256:fake",
          details: {
            format: "gguf",
            family: "llama",
            parameter_size: "3B",
            quantization_level: "Q4_K_M",
          },
        })),
      });
    }
    if (path !== "/api/chat") return new Response("404 page not found", { status: 404 });
    const body = await request.json();
    fake.requests.push(body);
    if (!fake.models.includes(body.model)) {
      return Response.json({ error: `model "${body.model}" not found, try pulling it first` }, {
        status: 404,
      });
    }
    const reply = fake.replies.shift() ?? { tokens: ["Hello", " there", "!"] };
    if (reply.fault === "500") {
      return Response.json({ error: "something broke inside" }, { status: 500 });
    }
    const stream = new ReadableStream<Uint8Array>({
      async start(out) {
        const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
        try {
          for (const token of reply.tokens ?? []) {
            if (reply.delayMs) await wait(reply.delayMs);
            if (request.signal.aborted) return;
            fake.sentAt.push(performance.now());
            out.enqueue(line(body.model, token));
          }
          if (reply.fault === "malformed") {
            out.enqueue(encoder.encode('{"model": "oops", "message": {"content": "unterminated\n'));
            out.close();
            return;
          }
          if (reply.fault === "cut") {
            out.close();
            return;
          }
          if (reply.fault === "stall") {
            await new Promise((r) => request.signal.addEventListener("abort", r, { once: true }));
            return;
          }
          if (reply.toolCalls) {
            out.enqueue(line(body.model, "", {
              message: {
                role: "assistant",
                content: "",
                tool_calls: reply.toolCalls.map((c) => ({ function: c })),
              },
            }));
          }
          out.enqueue(
            line(body.model, "", {
              done: true,
              done_reason: "stop",
              total_duration: 1000,
              eval_count: reply.tokens?.length ?? 0,
            }),
          );
          out.close();
        } catch {
          // The client went away.
        }
      },
    });
    return new Response(stream, { headers: { "content-type": "application/x-ndjson" } });
  });
  return promise;
}
