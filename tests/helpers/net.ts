/**
 * @module
 * For tests of `lib/net.ts`: a loopback server that records what it gets, a
 * policy that may reach it, and checks of the NetError a call rejects with.
 */

import assert from "node:assert/strict";
import { NetError, type NetErrorKind, type NetPolicy } from "@/lib/net.ts";

/** What the server saw of one request. */
export interface Seen {
  method: string;
  path: string;
  body: string;
  authorization: string | null;
  userAgent: string | null;
}

/** A loopback server that records every request it gets; `await using` shuts it down. */
export function serve(handler: (request: Request, url: URL) => Response | Promise<Response>) {
  const seen: Seen[] = [];
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    async function record(request) {
      const url = new URL(request.url);
      seen.push({
        method: request.method,
        path: url.pathname,
        body: await request.text(),
        authorization: request.headers.get("authorization"),
        userAgent: request.headers.get("user-agent"),
      });
      return handler(request, url);
    },
  );
  const port = server.addr.port;
  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    seen,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

/** A policy that may reach one loopback port, as a test needs to. */
export function loopback(port: number, more: Partial<NetPolicy> = {}): NetPolicy {
  return { hosts: [`127.0.0.1:${port}`], allowPrivate: true, ...more };
}

/** The NetError a call rejects with, checked for its kind. */
export async function failure(call: Promise<unknown>, kind: NetErrorKind): Promise<NetError> {
  try {
    await call;
  } catch (error) {
    assert.ok(error instanceof NetError, `expected a NetError, got ${error}`);
    assert.equal(error.kind, kind, `${error.kind}: ${error.message}`);
    return error;
  }
  assert.fail(`expected a NetError of kind ${kind}, got a response`);
}

/** `promise`, or a plain Error after `ms`, so a broken deadline fails the test instead of hanging it. */
export async function within<T>(ms: number, promise: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still waiting after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** A redirect to `location`. */
export function redirect(location: string, status = 302): Response {
  return new Response(null, { status, headers: { location } });
}
