/**
 * Fitting a prompt into the model's context window: whatever the history and
 * the tool results hold, the prompt fits when it can, and what must stay
 * (system messages, the question, every tool call and its result message)
 * stays, in order.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { DROPPED_RESULT, fitPrompt, promptTokens } from "@/chat/context.ts";
import type { LlmMessage, ToolSpec } from "@/lib/llm.ts";

const text = fc.string({ maxLength: 400 });
const turn = fc.record({
  role: fc.constantFrom("user" as const, "assistant" as const),
  content: text,
});
const round = fc.tuple(text, fc.string({ maxLength: 2000 })).map(([said, result]): LlmMessage[] => [
  {
    role: "assistant",
    content: said,
    toolCalls: [{ name: "crud", arguments: { action: "list" } }],
  },
  { role: "tool", content: result, toolName: "crud" },
]);
const tools: ToolSpec[] = [{
  type: "function",
  function: { name: "crud", description: "records", parameters: { type: "object" } },
}];

Deno.test("a fitted prompt fits when it can, and keeps what must stay in order", () => {
  fc.assert(
    fc.property(
      fc.array(text, { minLength: 1, maxLength: 2 }),
      fc.array(turn, { maxLength: 12 }),
      text,
      fc.array(round, { maxLength: 6 }),
      fc.integer({ min: 50, max: 4000 }),
      (system, turns, question, rounds, budget) => {
        const messages: LlmMessage[] = [
          ...system.map((content) => ({ role: "system" as const, content })),
          ...turns,
          { role: "user", content: question },
          ...rounds.flat(),
        ];
        const fitted = fitPrompt(messages, budget, tools);
        // Order kept: the fitted prompt is the original less some turns, results stubbed.
        let i = 0;
        for (const m of fitted) {
          while (
            messages[i]!.role !== m.role || (messages[i]!.content !== m.content &&
              m.content !== DROPPED_RESULT)
          ) i++;
          i++;
        }
        const must = (list: LlmMessage[]) =>
          list.filter((m, n) =>
            m.role === "system" || m.role === "tool" ||
            (m.role === "assistant" && m.toolCalls) ||
            n === list.findLastIndex((x) => x.role === "user")
          );
        assert.equal(must(fitted).length, must(messages).length, "nothing that must stay went");
        assert.equal(fitted.filter((m) => m.role === "user").at(-1)!.content, question);
        const floor = promptTokens(
          must(messages).map((m) => m.role === "tool" ? { ...m, content: DROPPED_RESULT } : m),
          tools,
        );
        if (floor <= budget) assert.ok(promptTokens(fitted, tools) <= budget);
        if (promptTokens(messages, tools) <= budget) assert.deepEqual(fitted, messages);
      },
    ),
    { numRuns: 300 },
  );
});

Deno.test("earlier turns give way before any tool result, and the oldest result first", () => {
  const result = "r".repeat(4000);
  const messages: LlmMessage[] = [
    { role: "system", content: "s" },
    { role: "user", content: "old question " + "q".repeat(2000) },
    { role: "assistant", content: "old answer" },
    { role: "user", content: "now" },
    { role: "assistant", content: "", toolCalls: [{ name: "crud", arguments: {} }] },
    { role: "tool", content: result, toolName: "crud" },
    { role: "assistant", content: "", toolCalls: [{ name: "crud", arguments: {} }] },
    { role: "tool", content: result, toolName: "crud" },
  ];
  const roomy = fitPrompt(messages, 2100);
  assert.deepEqual(roomy.map((m) => m.content.slice(0, 3)), ["s", "now", "", "rrr", "", "rrr"]);
  const tight = fitPrompt(messages, 1100);
  assert.deepEqual(tight.filter((m) => m.role === "tool").map((m) => m.content), [
    DROPPED_RESULT,
    result,
  ]);
});
