/**
 * @module
 * Chat test harness: a fake Ollama, a real server on it, and a WebSocket
 * client that sends frames as a page does (its context included).
 */

import assert from "node:assert/strict";
import type { Server } from "@/app/server.ts";
import type { Config } from "@/lib/config.ts";
import { pageHeaders, startTestServer } from "./browser.ts";
import { type FakeOllama, startFakeOllama } from "./fake_ollama.ts";
import { connect, type Frame, type WsClient } from "./ws_client.ts";

/** A server with a fake Ollama and one connected page. */
export interface ChatSetup {
  fake: FakeOllama;
  server: Server;
  dataDir: string;
  ws: WsClient;
  wsUrl: string;
  done(): Promise<void>;
}

/** The context stamp a fresh page of `server` carries. */
export function stamp(server: Server): string {
  return server.runtime.services().context.stamp();
}

/** Start a fake Ollama, a server on it and a page's socket. */
export async function chatSetup(
  config: Partial<Config> = {},
  dataDir?: string,
): Promise<ChatSetup> {
  const fake = await startFakeOllama();
  const { server, dataDir: dir } = await startTestServer({
    ollamaHost: fake.url,
    llmStallMs: 800,
    ...config,
    ...(dataDir ? { dataDir } : {}),
  });
  const wsUrl = `ws://127.0.0.1:${server.port}/ws`;
  const ws = await connect(wsUrl, { context: () => stamp(server) });
  return {
    fake,
    server,
    dataDir: dir,
    ws,
    wsUrl,
    async done() {
      await ws.close();
      await server.shutdown();
      await fake.close();
    },
  };
}

/** A test that keeps sockets and timers of its server open between steps. */
export function chatTest(name: string, fn: () => Promise<void>): void {
  Deno.test({ name, sanitizeOps: false, sanitizeResources: false, fn });
}

/** An error message frame. */
export function isError(f: Frame): boolean {
  return f.target === "#chat-log" && /msg-error/.test(f.content);
}

/** The frame that replaces a streamed answer with its final form. */
export function isFinal(f: Frame): boolean {
  return f.swap === "outerHTML" && /msg-assistant/.test(f.content);
}

/** Wait (five seconds at most) until no answer is in progress. */
export async function untilIdle(s: ChatSetup): Promise<void> {
  for (let i = 0; i < 500 && s.server.runtime.chat().busy(); i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Wait until the answer in progress is over (nothing is being answered), and fail if it is not. */
export async function settled(s: ChatSetup): Promise<void> {
  await untilIdle(s);
  assert.equal(s.server.runtime.chat().busy(), false, "the answer finished");
}

/** Every stored chat row, oldest first. */
export function chatRows(s: ChatSetup): { id: number; role: string; content: string }[] {
  return s.server.runtime.db().prepare("SELECT id, role, content FROM chat ORDER BY id").all()
    .map((r) => ({ ...r })) as { id: number; role: string; content: string }[];
}

/** The tasks table, every profile's, oldest first. */
export function taskRows(
  s: ChatSetup,
): { id: number; name: string; done: number; profile_id: number }[] {
  return s.server.runtime.db().prepare("SELECT id, name, done, profile_id FROM tasks ORDER BY id")
    .all().map((r) => ({ ...r })) as never;
}

/** POST to `path` (an Undo, an Apply) with a page's headers and no body; the response. */
export function pagePost(server: Server, path: string): Promise<Response> {
  return fetch(`${server.url}${path}`, { method: "POST", headers: pageHeaders(server) });
}

/** POST a form to the server as one of its own pages would; the status. */
export async function postForm(
  s: ChatSetup,
  path: string,
  body: Record<string, string>,
): Promise<number> {
  const res = await fetch(`${s.server.url}${path}`, {
    method: "POST",
    headers: { ...pageHeaders(s.server), "hx-request": "true" },
    body: new URLSearchParams(body),
  });
  await res.body?.cancel();
  return res.status;
}
