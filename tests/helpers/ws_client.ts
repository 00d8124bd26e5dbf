/**
 * @module
 * A WebSocket client for chat tests: collects the htmx swap frames the
 * server sends and waits for one that matches.
 */

/** One frame from the server. */
export interface Frame {
  target: string;
  swap: string;
  content: string;
}

/** A connected client. */
export interface WsClient {
  frames: Frame[];
  /** Send a frame as a page does: htmx adds the page's headers, its context among them. */
  send(value: Record<string, unknown>): void;
  /** Resolve with the first frame (seen or future) that matches; reject after `ms`. */
  waitFor(match: (frame: Frame) => boolean, ms?: number): Promise<Frame>;
  close(): Promise<void>;
}

/** Options for {@linkcode connect}. */
export interface ConnectOptions {
  /** The `Origin` to claim. */
  origin?: string;
  /** The context stamp of the page this socket belongs to (read when sending). */
  context?: () => string;
}

/**
 * A WebSocket opened with handshake `headers`, which Deno's constructor takes
 * in its options (`WebSocketOptions`) and a browser's does not. Where
 * Playwright's DOM types are loaded they hide Deno's overload, so the call
 * goes through `Reflect.construct`, whose result is the socket.
 */
export function openWebSocket(url: string, headers?: HeadersInit): WebSocket {
  const options: WebSocketOptions = headers ? { headers } : {};
  return Reflect.construct(WebSocket, [url, options]);
}

/** Connect to `url` (ws://...) as a page would. */
export function connect(url: string, options: ConnectOptions = {}): Promise<WsClient> {
  const { origin, context } = options;
  const socket = openWebSocket(url, origin ? { origin } : undefined);
  const frames: Frame[] = [];
  const waiters = new Set<() => void>();
  const closed = Promise.withResolvers<void>();
  socket.onmessage = (event) => {
    frames.push(JSON.parse(event.data));
    for (const wake of waiters) wake();
  };
  socket.onclose = () => closed.resolve();
  return new Promise((resolve, reject) => {
    socket.onerror = () => reject(new Error(`could not connect to ${url}`));
    socket.onopen = () =>
      resolve({
        frames,
        send: (value) =>
          socket.send(JSON.stringify({
            ...value,
            headers: {
              ...(value.headers as Record<string, string> | undefined),
              ...(context ? { "X-Cardflow-Context": context() } : {}),
            },
          })),
        waitFor(match, ms = 5000) {
          return new Promise((done, fail) => {
            const check = () => {
              const found = frames.find(match);
              if (!found) return;
              clearTimeout(timer);
              waiters.delete(check);
              done(found);
            };
            const timer = setTimeout(() => {
              waiters.delete(check);
              fail(
                new Error(
                  `no matching frame within ${ms} ms; got:\n${
                    frames.map((f) => JSON.stringify(f)).join("\n")
                  }`,
                ),
              );
            }, ms);
            waiters.add(check);
            check();
          });
        },
        async close() {
          socket.close();
          await closed.promise;
        },
      });
  });
}
