/**
 * The assistant's tool loop: each tool result goes back to the model, the
 * conversation and the results fit the context window, a model without tools
 * answers without them, and the OpenAI-compatible path runs the same loop.
 * Workflow tools are in chat_workflow_tools_test.ts, a hostile model's bounds
 * in chat_bounds_test.ts.
 */
import assert from "node:assert/strict";
import { DROPPED_RESULT, promptTokens } from "@/chat/context.ts";
import type { LlmMessage, ToolSpec } from "@/lib/llm.ts";
import { pageHeaders, startTestServer } from "./helpers/browser.ts";
import {
  chatRows,
  chatSetup,
  chatTest,
  isFinal,
  pagePost,
  postForm,
  settled,
  taskRows,
} from "./helpers/chat.ts";
import { startFakeOpenAi } from "./helpers/fake_openai.ts";
import { connect } from "./helpers/ws_client.ts";

chatTest(
  "add a task, then list: the model receives each tool result, its final answer names the tasks, and one Undo removes the task",
  async () => {
    const s = await chatSetup();
    try {
      await postForm(s, "/tasks", { name: "Walk the dog" });
      s.fake.replies.push(
        {
          tokens: ["Adding it."],
          toolCalls: [{
            name: "crud",
            arguments: { app: "tasks", action: "insert", values: { name: "Buy milk" } },
          }],
        },
        { toolCalls: [{ name: "crud", arguments: { app: "tasks", action: "list" } }] },
        { tokens: ["On your list: ", "Walk the dog", " and ", "Buy milk", "."] },
      );
      s.ws.send({ message: "Add a task to buy milk, then tell me what's on my list" });
      await s.ws.waitFor((f) =>
        isFinal(f) && /On your list: Walk the dog and Buy milk/.test(f.content)
      );
      await settled(s);
      assert.deepEqual(taskRows(s).map((t) => t.name), ["Walk the dog", "Buy milk"]);

      const [first, second, third] = s.fake.requests;
      assert.equal(s.fake.requests.length, 3, "three rounds");
      for (const request of s.fake.requests) {
        assert.equal(request.messages[0]!.role, "system", "the system message always leads");
        assert.ok(request.tools?.length, "a person's question is offered the tools");
        const size = requestTokens(request);
        assert.ok(size <= 8192 - 1024, `the prompt stays within its budget (${size} tokens)`);
        assert.equal(request.options?.num_ctx, 8192, "Ollama is asked for the configured window");
      }
      assert.deepEqual(first!.messages.at(-1), {
        role: "user",
        content: "Add a task to buy milk, then tell me what's on my list",
      });
      // Round two carries the model's call and its result; round three the list it asked for.
      const call = second!.messages.at(-2)!;
      assert.equal(call.role, "assistant");
      assert.equal(call.tool_calls?.[0]?.function.name, "crud");
      const result = second!.messages.at(-1)!;
      assert.equal(result.role, "tool");
      assert.equal(result.tool_name, "crud");
      assert.match(result.content, /Added tasks \\"Buy milk\\"/);
      const listed = third!.messages.at(-1)!;
      assert.equal(listed.role, "tool");
      assert.match(listed.content, /"name":"Walk the dog".*"name":"Buy milk"/);
      assert.doesNotMatch(listed.content, /profile_id|position/, "bookkeeping stays out");

      // The panel shows each call as an entry, the insert with its Undo.
      const entries = chatRows(s).filter((r) => r.role === "operation");
      assert.deepEqual(entries.map((e) => e.content), [
        'Added tasks "Buy milk" (#2).',
        "Listed 2 of tasks.",
      ]);
      const undo = await pagePost(s.server, `/chat/undo/${entries[0]!.id}`);
      assert.equal(undo.status, 204);
      assert.deepEqual(taskRows(s).map((t) => t.name), ["Walk the dog"]);
    } finally {
      await s.done();
    }
  },
);

/** The size of a request the fake received, as Cardflow measures it (tools included). */
function requestTokens(request: { messages: unknown[]; tools?: unknown[] }): number {
  const messages = request.messages.map((m) => {
    const { role, content, tool_calls } = m as {
      role: "system" | "user" | "assistant" | "tool";
      content: string;
      tool_calls?: { function: { name: string; arguments: Record<string, unknown> } }[];
    };
    return (role === "assistant"
      ? { role, content, toolCalls: tool_calls?.map((c) => c.function) }
      : { role, content, toolName: "" }) as LlmMessage;
  });
  return promptTokens(messages, request.tools as ToolSpec[] | undefined);
}

chatTest(
  "the conversation's earlier turns are sent within the token budget, newest kept, and the page the person is on is told",
  async () => {
    const s = await chatSetup({ llmContext: 4096 });
    try {
      const conversation = s.server.runtime.services().conversation;
      const profile = s.server.runtime.services().profiles.current().id!;
      for (let i = 0; i < 60; i++) {
        conversation.add(profile, i % 2 ? "assistant" : "user", `turn ${i} ` + "x".repeat(2000));
      }
      await postForm(s, "/hello/start", { key: "ada" });
      await postForm(s, "/hello/run/ada/step/step_01", { version: "1", name: "Ada" });
      await s.server.runtime.deps().bus.idle();
      s.ws.send({
        message: "What next?",
        headers: { "HX-Current-URL": `${s.server.url}/hello/run/ada` },
      });
      await s.ws.waitFor(isFinal);
      const sent = s.fake.requests[0]!.messages;
      const tokens = requestTokens(s.fake.requests[0]!);
      assert.ok(tokens <= 4096 - 1024, `${tokens} tokens, tool list included`);
      assert.ok(tokens > 4096 - 1024 - 600, `${tokens} tokens: the room is used`);
      assert.equal(s.fake.requests[0]!.options?.num_ctx, 4096, "Ollama loads that window");
      assert.ok(s.fake.requests[0]!.tools?.length, "the tools were sent and counted");
      assert.match(sent.at(-2)!.content, /turn 59/, "the newest earlier turns are kept");
      assert.doesNotMatch(JSON.stringify(sent), /turn 1 /, "the oldest are left out");
      assert.match(
        sent[1]!.content,
        /on the Hello run ada \(version 2\), at the step “Greeting” \(step_02\)\. Completed steps: Your name: \{"name":"Ada"\}/,
      );
      assert.match(sent[1]!.content, /Recent workflow activity: .*ada: submitted “Your name”/);
    } finally {
      await s.done();
    }
  },
);

chatTest(
  "tool results that outgrow the context window give way, oldest first, and every round's prompt fits",
  async () => {
    const s = await chatSetup({ llmContext: 4096 });
    try {
      for (let i = 0; i < 80; i++) {
        await postForm(s, "/tasks", { name: `task ${i} ${"y".repeat(60)}` });
      }
      const list = { name: "crud", arguments: { app: "tasks", action: "list" } };
      s.fake.replies.push(
        { toolCalls: Array.from({ length: 5 }, () => list) },
        { toolCalls: [list] },
        { tokens: ["Listed."] },
      );
      s.ws.send({ message: "List my tasks a few times" });
      await s.ws.waitFor((f) => isFinal(f) && /Listed\./.test(f.content));
      await settled(s);
      assert.equal(s.fake.requests.length, 3);
      for (const request of s.fake.requests) {
        assert.ok(requestTokens(request) <= 4096 - 1024, `${requestTokens(request)} tokens`);
      }
      const results = s.fake.requests[2]!.messages.filter((m) => m.role === "tool");
      assert.equal(results.length, 6, "every call keeps its result message");
      assert.equal(results[0]!.content, DROPPED_RESULT, "the oldest result gave way");
      assert.match(
        results.at(-1)!.content,
        /^\[\{"id":1,"name":"task 0 y/,
        "the newest result is kept",
      );
    } finally {
      await s.done();
    }
  },
);

chatTest("a model without tools answers without them, and the panel says so", async () => {
  const s = await chatSetup();
  try {
    s.fake.models.push({ name: "plain:latest", tools: false });
    s.server.runtime.chat().setModel("plain");
    s.fake.replies.push({ tokens: ["I can only talk."] });
    s.ws.send({ message: "add a task" });
    await s.ws.waitFor((f) => isFinal(f) && /I can only talk/.test(f.content));
    assert.ok(
      s.ws.frames.some((f) =>
        /cannot use tools, so it answers without changing anything/.test(f.content)
      ),
    );
    assert.equal(s.fake.requests.at(-1)!.tools, undefined);
  } finally {
    await s.done();
  }
});

chatTest(
  "the OpenAI-compatible path streams an answer and runs a tool call, its result sent back in OpenAI's shape",
  async () => {
    const fake = await startFakeOpenAi({ models: ["local-model"], apiKey: "sekret" });
    const { server } = await startTestServer({
      llmApi: "openai",
      llmUrl: fake.url,
      llmKey: "sekret",
      model: "local-model",
    });
    const ws = await connect(`ws://127.0.0.1:${server.port}/ws`, {
      context: () => server.runtime.services().context.stamp(),
    });
    try {
      fake.replies.push(
        {
          toolCalls: [{
            name: "crud",
            arguments: { app: "tasks", action: "insert", values: { name: "From OpenAI" } },
          }],
        },
        { tokens: ["Added ", "it."] },
      );
      ws.send({ message: "add a task" });
      await ws.waitFor((f) => isFinal(f) && /Added it\./.test(f.content));
      const names = server.runtime.db().prepare("SELECT name FROM tasks").all().map((r) => r.name);
      assert.deepEqual(names, ["From OpenAI"]);
      const second = fake.requests[1] as { messages: { role: string; tool_call_id?: string }[] };
      const last = second.messages.at(-1)!;
      assert.equal(last.role, "tool");
      assert.ok(last.tool_call_id, "the result names the call it answers");
      const status = await (await fetch(`${server.url}/chat/status`)).text();
      assert.match(status, /light up/);
      assert.match(status, /The model server at .* is answering/);
      assert.ok(pageHeaders(server));
    } finally {
      await ws.close();
      await server.shutdown();
      await fake.close();
    }
  },
);
