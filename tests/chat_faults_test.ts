/**
 * When Ollama fails: each fault says so in the chat, keeps what was streamed,
 * and the next message works; the status light follows Ollama; and a real
 * Ollama at OLLAMA_HOST, when one answers, chats through the same path.
 */
import assert from "node:assert/strict";
import { startTestServer } from "./helpers/browser.ts";
import { chatRows, type ChatSetup, chatSetup, chatTest, isError, stamp } from "./helpers/chat.ts";
import { startFakeOllama } from "./helpers/fake_ollama.ts";
import { connect } from "./helpers/ws_client.ts";

const FAULTS: [string, (s: ChatSetup) => void, RegExp][] = [
  [
    "Ollama not running",
    (s) => void s.fake.close(),
    /Ollama is not answering at http:\/\/127\.0\.0\.1:\d+/,
  ],
  [
    "a model that is not pulled",
    (s) => s.server.runtime.services().store.set("chat.model", "missing-model"),
    /model "missing-model" is not on the Ollama server.*ollama pull missing-model/,
  ],
  [
    "a stream cut in the middle",
    (s) => s.fake.replies.push({ tokens: ["Partial", " answer"], fault: "cut" }),
    /cut off/,
  ],
  [
    "a stall longer than the timeout",
    (s) => s.fake.replies.push({ tokens: ["Partial", " answer"], fault: "stall" }),
    /stopped sending for/,
  ],
  [
    "a malformed line",
    (s) => s.fake.replies.push({ tokens: ["Partial", " answer"], fault: "malformed" }),
    /cut off.*unreadable/,
  ],
  ["an HTTP error", (s) => s.fake.replies.push({ fault: "500" }), /error \(500\)/],
];

for (const [name, cause, message] of FAULTS) {
  chatTest(
    `${name} shows a clear message in the chat, keeps what was streamed, and the next message works`,
    async () => {
      const s = await chatSetup();
      try {
        cause(s);
        const started = performance.now();
        s.ws.send({ message: "Tell me something" });
        const error = await s.ws.waitFor(isError, 5000);
        assert.ok(performance.now() - started < 5000);
        assert.match(error.content.replaceAll("&quot;", '"'), message);
        if (
          /Partial/.test(JSON.stringify(s.fake.requests)) ||
          s.ws.frames.some((f) => f.content === "Partial")
        ) {
          const kept = chatRows(s).find((r) => r.role === "assistant");
          assert.equal(kept?.content, "Partial answer", "the partial answer is kept");
        }
        // Recover: the fake is back (or the model fixed) and the next message works.
        if (name === "Ollama not running") {
          await s.server.shutdown();
          return;
        }
        s.server.runtime.services().store.set("chat.model", "llama3.2");
        s.fake.replies.push({ tokens: ["Back again"] });
        s.ws.send({ message: "Are you there?" });
        await s.ws.waitFor((f) => f.swap === "outerHTML" && f.content.includes("Back again"));
      } finally {
        await s.done().catch(() => {});
      }
    },
  );
}

chatTest("the next message works once Ollama is back", async () => {
  const fake = await startFakeOllama();
  const port = Number(new URL(fake.url).port);
  await fake.close();
  const { server } = await startTestServer({
    ollamaHost: `http://127.0.0.1:${port}`,
    llmStallMs: 800,
  });
  const ws = await connect(`ws://127.0.0.1:${server.port}/ws`, {
    context: () => stamp(server),
  });
  try {
    ws.send({ message: "hello?" });
    await ws.waitFor(isError);
    const back = await startFakeOllama({ port });
    back.replies.push({ tokens: ["I am back"] });
    ws.send({ message: "hello again" });
    await ws.waitFor((f) => f.swap === "outerHTML" && f.content.includes("I am back"));
    await back.close();
  } finally {
    await ws.close();
    await server.shutdown();
  }
});

chatTest("the status light reports Ollama and its models", async () => {
  const s = await chatSetup();
  try {
    s.fake.models.push("qwen3:4b");
    const html = await (await fetch(`${s.server.url}/chat/status`)).text();
    assert.match(html, /light up/);
    assert.match(html, /<option value="qwen3:4b"/);
    await s.fake.close();
    assert.match(await (await fetch(`${s.server.url}/chat/status`)).text(), /light down/);
  } finally {
    await s.done().catch(() => {});
  }
});

const realHost = Deno.env.get("OLLAMA_HOST");
let realUp = false;
if (realHost) {
  try {
    realUp = (await fetch(
      new URL("/api/tags", realHost.startsWith("http") ? realHost : `http://${realHost}`),
      { signal: AbortSignal.timeout(1000) },
    )).ok;
  } catch { /* not running */ }
}
Deno.test({
  name: realUp
    ? "a real Ollama at OLLAMA_HOST answers through the chat"
    : "a real Ollama at OLLAMA_HOST answers through the chat (skipped: no Ollama answers at OLLAMA_HOST)",
  ignore: !realUp,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const { server } = await startTestServer({ ollamaHost: realHost!, llmStallMs: 60_000 });
    const ws = await connect(`ws://127.0.0.1:${server.port}/ws`, {
      context: () => stamp(server),
    });
    try {
      ws.send({ message: "Say hello in three words." });
      await ws.waitFor(
        (f) => f.swap === "outerHTML" && /msg-(assistant|error)/.test(f.content),
        60_000,
      );
    } finally {
      await ws.close();
      await server.shutdown();
    }
  },
});
