/**
 * @module
 * What the test doubles of outside servers (`fake_ollama.ts`,
 * `fake_openai.ts`) share apart from their wire protocols: a real HTTP
 * server on loopback that closes on demand, and a streamed body that notices
 * when the client goes away.
 */

/** A server listening on 127.0.0.1. */
export interface LoopbackServer {
  /** `http://127.0.0.1:<port>`, once the server listens. */
  ready: Promise<string>;
  /** Stop listening and wait until the server has finished. */
  close(): Promise<void>;
}

/** Serve `handler` on loopback, on `port` or else a free one. */
export function serveLoopback(
  handler: (request: Request) => Response | Promise<Response>,
  port = 0,
): LoopbackServer {
  const controller = new AbortController();
  const { promise, resolve } = Promise.withResolvers<string>();
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port,
    signal: controller.signal,
    onListen: ({ port }) => resolve(`http://127.0.0.1:${port}`),
  }, handler);
  return {
    ready: promise,
    async close() {
      controller.abort();
      await server.finished;
    },
  };
}

/** What a streamed body's writer sees of its client. */
export interface Outlet {
  /** The stream's controller: enqueue bytes, close. */
  out: ReadableStreamDefaultController<Uint8Array>;
  /** Whether the client has gone away. */
  left(): boolean;
  /** Settles when the client goes away. */
  gone: Promise<void>;
}

/**
 * A response body that `write` fills; a write after the client went away
 * ends it quietly.
 */
export function outletStream(write: (outlet: Outlet) => Promise<void>): ReadableStream<Uint8Array> {
  // The client going away cancels the body; waiting on that, not on `request.signal`,
  // keeps Deno's legacy-abort warning away.
  const gone = Promise.withResolvers<void>();
  let left = false;
  return new ReadableStream<Uint8Array>({
    cancel() {
      left = true;
      gone.resolve();
    },
    async start(out) {
      try {
        await write({ out, left: () => left, gone: gone.promise });
      } catch {
        // The client went away.
      }
    },
  });
}
