/**
 * The assistant's tool loop: results go back to the model, workflows can be
 * run by request, destructive operations wait for Apply, and a hostile model
 * is held to its bounds (issue 13 and issue 15's model items).
 */
import assert from "node:assert/strict";
import { ANSWER_LIMITS } from "@/chat/answer.ts";
import { DROPPED_RESULT, promptTokens } from "@/chat/context.ts";
import type { LlmMessage, ToolSpec } from "@/lib/llm.ts";
import {
  chatRows,
  type ChatSetup,
  chatSetup,
  chatTest,
  isError,
  postForm,
} from "./helpers/chat.ts";
import type { Frame } from "./helpers/ws_client.ts";

function tasks(s: ChatSetup): { id: number; name: string; done: number; profile_id: number }[] {
  return s.server.runtime.db().prepare("SELECT id, name, done, profile_id FROM tasks ORDER BY id")
    .all().map((r) => ({ ...r })) as never;
}

/** Wait until the answer in progress is over (nothing is being answered). */
async function settled(s: ChatSetup): Promise<void> {
  for (let i = 0; i < 500 && s.server.runtime.chat().busy(); i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.equal(s.server.runtime.chat().busy(), false, "the answer finished");
}

const isFinal = (f: Frame) => f.swap === "outerHTML" && /msg-assistant/.test(f.content);

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
      assert.deepEqual(tasks(s).map((t) => t.name), ["Walk the dog", "Buy milk"]);

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
      const undo = await fetch(`${s.server.url}/chat/undo/${entries[0]!.id}`, {
        method: "POST",
        headers: (await import("./helpers/browser.ts")).pageHeaders(s.server),
      });
      assert.equal(undo.status, 204);
      assert.deepEqual(tasks(s).map((t) => t.name), ["Walk the dog"]);
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

chatTest(
  "start a hello run for Ada: the run exists with step 1 submitted, shows in the panel, and one Undo removes it",
  async () => {
    const s = await chatSetup();
    try {
      s.fake.replies.push(
        {
          toolCalls: [{
            name: "workflow",
            arguments: { workflow: "hello", action: "start", key: "ada-run" },
          }],
        },
        {
          toolCalls: [{
            name: "workflow",
            arguments: {
              workflow: "hello",
              action: "submit",
              key: "ada-run",
              step: "step_01",
              version: 1,
              values: { name: "Ada" },
            },
          }],
        },
        { tokens: ["Your run ada-run is started with the name Ada."] },
      );
      s.ws.send({ message: "Start a hello run for Ada" });
      await s.ws.waitFor((f) => isFinal(f) && /started with the name Ada/.test(f.content));
      await settled(s);
      const run = s.server.runtime.services().workflows.find("hello")!.load("ada-run");
      assert.deepEqual(run.state.steps.step_01, { name: "Ada" });
      const second = s.fake.requests[1]!.messages.at(-1)!;
      assert.match(second.content, /"version":1/, "the model learnt the version from the start");
      const page = await (await fetch(`${s.server.url}/hello/run/ada-run/step/step_01`, {
        headers: { "hx-request": "true" },
      })).text();
      assert.match(page, /Ada/, "the run shows like any other");

      const summary = chatRows(s).find((r) => /This answer made 2 changes/.test(r.content));
      assert.ok(summary, "an answer that changed two things offers one Undo for both");
      const { pageHeaders } = await import("./helpers/browser.ts");
      const undo = await fetch(`${s.server.url}/chat/undo/${summary.id}`, {
        method: "POST",
        headers: pageHeaders(s.server),
      });
      assert.equal(undo.status, 204, await undo.text());
      assert.equal(s.server.runtime.services().workflows.runs.find("ada-run"), undefined);
    } finally {
      await s.done();
    }
  },
);

chatTest(
  "finalizing and deleting are proposed with Apply and happen only when it is clicked; a stale or invalid submit is refused like a stale form",
  async () => {
    const s = await chatSetup();
    try {
      const { pageHeaders } = await import("./helpers/browser.ts");
      await postForm(s, "/hello/start", { key: "done-run" });
      await postForm(s, "/hello/run/done-run/step/step_01", { version: "1", name: "Ada" });
      await postForm(s, "/hello/run/done-run/step/step_02", { version: "2", greeting: "Hi" });
      await postForm(s, "/tasks", { name: "Keep me" });
      s.fake.replies.push(
        {
          toolCalls: [
            {
              name: "workflow",
              arguments: { workflow: "hello", action: "finalize", key: "done-run" },
            },
            { name: "crud", arguments: { app: "tasks", action: "delete", id: 1 } },
            {
              name: "workflow",
              arguments: {
                workflow: "hello",
                action: "submit",
                key: "done-run",
                step: "step_01",
                version: 1,
                values: { name: "Mallory" },
              },
            },
            {
              name: "workflow",
              arguments: {
                workflow: "hello",
                action: "submit",
                key: "done-run",
                step: "step_02",
                version: 3,
                values: { greeting: "" },
              },
            },
          ],
        },
        { tokens: ["Proposed."] },
      );
      s.ws.send({ message: "Finish it and delete the task" });
      await s.ws.waitFor((f) => isFinal(f) && /Proposed\./.test(f.content));
      await settled(s);
      const run = () => s.server.runtime.services().workflows.find("hello")!.load("done-run");
      assert.equal(run().state.finalized, false, "nothing is finalized before Apply");
      assert.equal(tasks(s).length, 1, "nothing is deleted before Apply");
      assert.deepEqual(
        run().state.steps.step_01,
        { name: "Ada" },
        "the stale submit changed nothing",
      );
      const refusals = chatRows(s).filter((r) =>
        r.role === "operation" && /Refused|Could not/.test(r.content)
      );
      assert.match(refusals[0]!.content, /changed in another tab/);
      assert.match(refusals[1]!.content, /Greeting is required/);

      const proposals = chatRows(s).filter((r) => r.role === "proposal");
      assert.equal(proposals.length, 2);
      for (const proposal of proposals) {
        const res = await fetch(`${s.server.url}/chat/apply/${proposal.id}`, {
          method: "POST",
          headers: pageHeaders(s.server),
        });
        assert.equal(res.status, 204, await res.text());
      }
      assert.equal(run().state.finalized, true);
      assert.equal(tasks(s).length, 0);
      const again = await fetch(`${s.server.url}/chat/apply/${proposals[0]!.id}`, {
        method: "POST",
        headers: pageHeaders(s.server),
      });
      assert.equal(again.status, 409, "a proposal is applied once");

      // An applied proposal is undone like any other change: the run unlocked, the task back.
      for (const proposal of proposals.toReversed()) {
        const log = await (await fetch(`${s.server.url}/chat/log`)).text();
        assert.match(log, new RegExp(`hx-post="/chat/undo/${proposal.id}"`), "Undo is offered");
        const res = await fetch(`${s.server.url}/chat/undo/${proposal.id}`, {
          method: "POST",
          headers: pageHeaders(s.server),
        });
        assert.equal(res.status, 204, await res.text());
      }
      assert.equal(run().state.finalized, false, "the finalize was undone");
      assert.deepEqual(tasks(s).map((t) => t.name), ["Keep me"], "the deleted task is back");
      const log = await (await fetch(`${s.server.url}/chat/log`)).text();
      assert.equal(log.match(/Applied, then undone\./g)?.length, 2);
    } finally {
      await s.done();
    }
  },
);

chatTest(
  "revert reopens a done step and writes nothing; another profile's run answers like a missing one",
  async () => {
    const s = await chatSetup();
    try {
      await postForm(s, "/hello/start", { key: "mine" });
      await postForm(s, "/hello/run/mine/step/step_01", { version: "1", name: "Ada" });
      await postForm(s, "/hello/start", { key: "theirs" });
      await postForm(s, "/hello/run/theirs/step/step_01", { version: "1", name: "Bob" });
      s.server.runtime.db().prepare("UPDATE pipeline SET profile_id = 999 WHERE key = 'theirs'")
        .run();
      const call = (action: string, key: string, extra: Record<string, unknown> = {}) => ({
        name: "workflow",
        arguments: { workflow: "hello", action, key, ...extra },
      });
      s.fake.replies.push(
        {
          toolCalls: [
            call("revert", "mine", { step: "step_01" }),
            call("read", "theirs"),
            call("read", "nobody"),
            call("submit", "theirs", { step: "step_01", version: 2, values: { name: "Eve" } }),
            call("revert", "theirs", { step: "step_01" }),
            call("finalize", "theirs"),
            call("start", "theirs"),
          ],
        },
        { tokens: ["Done."] },
      );
      s.ws.send({ message: "Let me change my name in run mine, and look at theirs" });
      await s.ws.waitFor((f) => isFinal(f) && /Done\./.test(f.content));
      await settled(s);
      const runs = s.server.runtime.services().workflows.runs;
      assert.equal(runs.find("mine")!.version, 2, "revert wrote nothing");
      assert.deepEqual(runs.find("theirs")!.state.steps.step_01, { name: "Bob" });
      assert.equal(runs.find("theirs")!.version, 2);

      const results = s.fake.requests[1]!.messages.filter((m) => m.role === "tool")
        .map((m) => m.content);
      assert.match(results[0]!, /"reopened":\{"id":"step_01".*"values":\{"name":"Ada"\}/);
      assert.match(results[0]!, /"version":2/);
      const missing = results[2]!.replace("nobody", "K");
      for (const i of [1, 3, 4, 5]) {
        assert.equal(results[i]!.replace("theirs", "K"), missing, `call ${i} reveals nothing`);
      }
      assert.match(results[6]!, /is taken: leave the key out/);
      assert.equal(chatRows(s).filter((r) => r.role === "proposal").length, 0);
    } finally {
      await s.done();
    }
  },
);

chatTest(
  "a hostile model: 2,000 tool calls in one answer create at most the bound, and one Undo removes them all",
  async () => {
    const s = await chatSetup();
    try {
      const { pageHeaders } = await import("./helpers/browser.ts");
      s.fake.replies.push({
        toolCalls: Array.from({ length: 2000 }, (_, i) => ({
          name: "crud",
          arguments: { app: "tasks", action: "insert", values: { name: `flood ${i}` } },
        })),
      });
      s.ws.send({ message: "add some tasks" });
      await s.ws.waitFor((f) =>
        isError(f) && /1980 more operations than one answer may run \(20\)/.test(f.content)
      );
      await settled(s);
      assert.equal(tasks(s).length, ANSWER_LIMITS.toolCalls);
      assert.equal(s.fake.requests.length, 1, "the model is not asked again after the bound");
      const summary = chatRows(s).find((r) => /This answer made 20 changes/.test(r.content))!;
      const undo = await fetch(`${s.server.url}/chat/undo/${summary.id}`, {
        method: "POST",
        headers: pageHeaders(s.server),
      });
      assert.equal(undo.status, 204);
      assert.equal(tasks(s).length, 0, "one Undo removed all twenty");
    } finally {
      await s.done();
    }
  },
);

chatTest(
  "the model cannot choose ids or positions, and a record of another profile answers like a missing one",
  async () => {
    const s = await chatSetup();
    try {
      const other = (s.server.runtime.db().prepare(
        "INSERT INTO tasks (name, done, position, profile_id) VALUES ('Theirs', 0, 1, 999) RETURNING id",
      ).get() as { id: number }).id;
      s.fake.replies.push(
        {
          toolCalls: [
            {
              name: "crud",
              arguments: {
                app: "tasks",
                action: "insert",
                values: { id: 900474, position: -7, name: "x" },
              },
            },
            {
              name: "crud",
              arguments: {
                app: "tasks",
                action: "insert",
                values: { name: "fine" },
                id: 900474,
                restore: { id: 5 },
              },
            },
            { name: "crud", arguments: { app: "tasks", action: "get", id: other } },
            { name: "crud", arguments: { app: "tasks", action: "get", id: 424242 } },
          ],
        },
        { tokens: ["ok"] },
      );
      s.ws.send({ message: "try things" });
      await s.ws.waitFor(isFinal);
      await settled(s);
      const mine = tasks(s).filter((t) => t.profile_id !== 999);
      assert.deepEqual(mine.map((t) => t.name), ["fine"]);
      assert.notEqual(mine[0]!.id, 900474, "the id the model gave was ignored");
      const refusals = chatRows(s).filter((r) =>
        r.role === "operation" && /Refused/.test(r.content)
      );
      assert.match(refusals[0]!.content, /Tasks has no field "id"/);
      const foreign = refusals[1]!.content.replace(String(other), "N");
      const missing = refusals[2]!.content.replace("424242", "N");
      assert.equal(
        foreign,
        missing,
        "another profile's record is indistinguishable from a missing one",
      );
    } finally {
      await s.done();
    }
  },
);

chatTest(
  "a comment or a Poke answer with tool calls changes nothing: the model acts only on a person's words",
  async () => {
    const s = await chatSetup();
    try {
      const flood = {
        toolCalls: [{
          name: "crud",
          arguments: { app: "tasks", action: "insert", values: { name: "sneaky" } },
        }],
        tokens: ["A nudge."],
      };
      s.fake.replies.push(flood);
      const res = await postForm(s, "/chat/poke", { where: "/tasks (Tasks · Cardflow)" });
      assert.equal(res, 202);
      await s.ws.waitFor((f) => isFinal(f) && /A nudge/.test(f.content));
      await settled(s);
      assert.equal(s.fake.requests[0]!.tools, undefined, "Poke offers no tools");
      await postForm(s, "/chat/commentary", { on: "on" });
      s.fake.replies.push(flood);
      await postForm(s, "/hello/start", { key: "c" });
      await postForm(s, "/hello/run/c/step/step_01", { version: "1", name: "Ada" });
      await s.ws.waitFor((f) => isFinal(f) && s.fake.requests.length === 2);
      await settled(s);
      assert.equal(s.fake.requests[1]!.tools, undefined, "commentary offers no tools");
      assert.deepEqual(tasks(s), [], "no tool call of theirs ran");
    } finally {
      await s.done();
    }
  },
);

chatTest(
  "a 24 MB answer is cut at the bound and a 2 MB error becomes a short message",
  async () => {
    const s = await chatSetup();
    try {
      const mega = "y".repeat(1024 * 1024);
      s.fake.replies.push({ tokens: Array.from({ length: 24 }, () => mega) });
      s.ws.send({ message: "talk a lot" });
      await s.ws.waitFor((f) => isError(f) && /cut at 64 KB/.test(f.content));
      await settled(s);
      const stored = chatRows(s).find((r) => r.role === "assistant")!;
      assert.equal(stored.content.length, ANSWER_LIMITS.answerChars);
      const log = await (await fetch(`${s.server.url}/chat/log`)).text();
      assert.ok(log.length < 200_000, `the log a page loads stays small (${log.length} bytes)`);

      s.fake.replies.push({ fault: "oversize" });
      s.ws.send({ message: "and now?" });
      const error = await s.ws.waitFor((f) => isError(f) && /error \(500\)/.test(f.content));
      assert.ok(error.content.length < 1000, `${error.content.length} characters`);
    } finally {
      await s.done();
    }
  },
);

chatTest("a tool loop that never ends stops at its round bound with a clear message", async () => {
  const s = await chatSetup();
  try {
    for (let i = 0; i < ANSWER_LIMITS.rounds + 2; i++) {
      s.fake.replies.push({
        toolCalls: [{ name: "crud", arguments: { app: "tasks", action: "list" } }],
      });
    }
    s.ws.send({ message: "loop" });
    await s.ws.waitFor((f) => isError(f) && /stopped after 6 rounds/.test(f.content));
    await settled(s);
    assert.equal(s.fake.requests.length, ANSWER_LIMITS.rounds);
  } finally {
    await s.done();
  }
});

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
    const { startFakeOpenAi } = await import("./helpers/fake_openai.ts");
    const { startTestServer, pageHeaders } = await import("./helpers/browser.ts");
    const { connect } = await import("./helpers/ws_client.ts");
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
