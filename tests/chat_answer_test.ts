/**
 * The answer's time budget, against the Ollama double over real HTTP: a
 * model that keeps talking past it is stopped with a clear message, and what
 * it said so far stays.
 */
import assert from "node:assert/strict";
import { type AnswerOutput, runAnswer } from "@/chat/answer.ts";
import { createLlm } from "@/lib/llm.ts";
import { silentLogger } from "@/lib/log.ts";
import { startFakeOllama } from "./helpers/fake_ollama.ts";

Deno.test("an answer that outlasts its time budget is stopped, says so, and keeps its text", async () => {
  const fake = await startFakeOllama();
  try {
    fake.replies.push({ tokens: Array.from({ length: 60 }, (_, i) => `w${i} `), delayMs: 25 });
    const notices: string[] = [];
    const closed: { content: string; cut: boolean }[] = [];
    const output: AnswerOutput = {
      thinking() {},
      open: () => 1,
      token() {},
      close: (_id, content, cut) => void closed.push({ content, cut }),
      tool() {},
      notice: (_kind, text) => void notices.push(text),
    };
    const result = await runAnswer({
      llm: createLlm({ host: fake.url }),
      model: "llama3.2",
      messages: [{ role: "user", content: "Talk for a while" }],
      output,
      signal: new AbortController().signal,
      log: silentLogger(),
      limits: { timeMs: 600 },
    });
    assert.deepEqual(notices, ["The answer took longer than 0.6 s and was stopped."]);
    assert.equal(closed.length, 1);
    assert.equal(closed[0]!.cut, true, "the message is marked as cut short");
    assert.match(closed[0]!.content, /^w0 w1 /, "what was said so far stays");
    assert.ok(!closed[0]!.content.includes("w59"), "stopped at the budget, not at the end");
    assert.equal(result.rounds, 1);
  } finally {
    await fake.close();
  }
});
