/**
 * A conversation over the chat socket: answers stream token by token to every
 * page, the history keeps its limit across restarts, Stop keeps what arrived,
 * the model's HTML stays text, and its crud operations run (with an Undo) or
 * are refused with the reason.
 */
import assert from "node:assert/strict";
import { dump } from "./helpers/app.ts";
import {
  chatRows,
  chatSetup,
  chatTest,
  isError,
  isFinal,
  pagePost,
  stamp,
} from "./helpers/chat.ts";
import { connect } from "./helpers/ws_client.ts";

chatTest(
  "a message streams its answer token by token to every open page, and a page opened later shows it",
  async () => {
    const s = await chatSetup();
    const other = await connect(s.wsUrl, { context: () => stamp(s.server) });
    try {
      s.fake.replies.push({ tokens: ["Hi", " Ada", ", how", " can I help?"], delayMs: 5 });
      s.ws.send({ message: "Hello there" });
      const user = await s.ws.waitFor((f) => /msg-user/.test(f.content));
      assert.match(user.content, /Hello there/);
      for (const client of [s.ws, other]) {
        await client.waitFor((f) => f.swap === "beforeend" && f.content === " Ada");
        const final = await client.waitFor(isFinal);
        assert.match(final.content, /<p>Hi Ada, how can I help\?<\/p>/);
      }
      const tokens = s.ws.frames.filter((f) => f.target.endsWith(" .body")).map((f) => f.content);
      assert.deepEqual(
        tokens,
        ["Hi", " Ada", ", how", " can I help?"],
        "each token arrives as its own frame",
      );
      const page = await (await fetch(`${s.server.url}/chat/log`)).text();
      assert.match(page, /Hello there/);
      assert.match(page, /Hi Ada, how can I help\?/);
      // The model saw the system message first, then the question.
      const sent = s.fake.requests[0]!;
      assert.equal(sent.messages[0]!.role, "system");
      assert.match(sent.messages[0]!.content, /Cardflow/);
      assert.deepEqual(sent.messages.at(-1), { role: "user", content: "Hello there" });
    } finally {
      await other.close();
      await s.done();
    }
  },
);

chatTest(
  "the history keeps at most its limit, always keeps the system message, and survives a restart",
  async () => {
    const dataDir = await Deno.makeTempDir();
    let s = await chatSetup({ chatHistory: 5 }, dataDir);
    for (let i = 1; i <= 4; i++) {
      s.fake.replies.push({ tokens: [`answer ${i}`] });
      s.ws.send({ message: `question ${i}` });
      await s.ws.waitFor((f) => f.swap === "outerHTML" && f.content.includes(`answer ${i}`));
    }
    let stored = chatRows(s);
    assert.equal(stored.length, 5);
    assert.equal(stored[0]!.role, "system");
    assert.deepEqual(stored.slice(1).map((r) => r.content), [
      "question 3",
      "answer 3",
      "question 4",
      "answer 4",
    ]);
    await s.done();
    s = await chatSetup({ chatHistory: 5 }, dataDir);
    try {
      stored = chatRows(s);
      assert.equal(stored[0]!.role, "system", "the system message survived the restart");
      assert.equal(stored.at(-1)!.content, "answer 4");
      s.fake.replies.push({ tokens: ["answer 5"] });
      s.ws.send({ message: "question 5" });
      await s.ws.waitFor((f) => f.swap === "outerHTML" && f.content.includes("answer 5"));
      const sent = s.fake.requests.at(-1)!.messages;
      assert.equal(sent[0]!.role, "system");
      assert.ok(
        sent.some((m) => m.content === "answer 4"),
        "the model gets the remembered conversation",
      );
      assert.equal(chatRows(s).length, 5);
    } finally {
      await s.done();
      await Deno.remove(dataDir, { recursive: true });
    }
  },
);

chatTest("stop aborts a streaming answer and keeps what arrived", async () => {
  const s = await chatSetup({ llmStallMs: 10_000 });
  try {
    s.fake.replies.push({
      tokens: ["one", " two", " three", " four", " five", " six"],
      delayMs: 200,
    });
    s.ws.send({ message: "Count slowly" });
    await s.ws.waitFor((f) => f.content === " two");
    s.ws.send({ action: "stop" });
    const stopped = await s.ws.waitFor(isError);
    assert.match(stopped.content, /Stopped/);
    const kept = chatRows(s).find((r) => r.role === "assistant")!.content;
    assert.match(kept, /^one two/);
    assert.doesNotMatch(kept, /six/);
  } finally {
    await s.done();
  }
});

chatTest("HTML in the model's answer arrives escaped, streamed and final", async () => {
  const s = await chatSetup();
  try {
    s.fake.replies.push({
      tokens: ["Look: ", "<img src=x onerror=alert(1)>", " <script>alert(2)</script>"],
    });
    s.ws.send({ message: "<b>bold?</b>" });
    const final = await s.ws.waitFor(isFinal);
    for (const frame of s.ws.frames) {
      assert.doesNotMatch(frame.content, /<img|<script|<b>/, JSON.stringify(frame));
    }
    assert.match(final.content, /&lt;img src=x onerror=alert\(1\)&gt;/);
  } finally {
    await s.done();
  }
});

chatTest(
  "a valid operation from the model changes the table, updates the list, and can be undone",
  async () => {
    const s = await chatSetup();
    try {
      const rt = s.server.runtime;
      const events: string[] = [];
      rt.deps().live.subscribe((m) => events.push(m.event));
      s.fake.replies.push({
        tokens: ["Adding it."],
        toolCalls: [{
          name: "crud",
          arguments: { app: "tasks", action: "insert", values: { name: "Buy milk" } },
        }],
      });
      s.ws.send({ message: "add a task to buy milk" });
      const op = await s.ws.waitFor((f) => /msg-operation/.test(f.content));
      assert.match(op.content, /Added tasks &quot;Buy milk&quot;/);
      assert.match(op.content, /hx-post="\/chat\/undo\/\d+"/);
      const tasks = () =>
        (rt.db().prepare("SELECT name FROM tasks").all() as { name: string }[]).map((r) => ({
          ...r,
        }));
      assert.deepEqual(tasks(), [{ name: "Buy milk" }]);
      assert.ok(events.includes("tasks:changed"), "open Tasks lists are told to refresh");
      assert.ok(s.fake.requests[0]!.tools, "the crud tool is offered to the model");
      const id = op.content.match(/\/chat\/undo\/(\d+)/)![1];
      const undo = await pagePost(s.server, `/chat/undo/${id}`);
      assert.equal(undo.status, 204);
      assert.deepEqual(tasks(), []);
      await s.ws.waitFor((f) => /Undone: Deleted/.test(f.content));
      assert.equal(
        (await pagePost(s.server, `/chat/undo/${id}`)).status,
        404,
        "an undo runs once",
      );
    } finally {
      await s.done();
    }
  },
);

chatTest(
  "each invalid operation from the model is refused with an explanation and changes nothing",
  async () => {
    const s = await chatSetup();
    try {
      const rt = s.server.runtime;
      const foreign = (rt.db().prepare(
        "INSERT INTO tasks (name, done, position, profile_id) VALUES ('Theirs', 0, 1, 999) RETURNING id",
      ).get() as { id: number }).id;
      const bad: [unknown, RegExp][] = [
        [{ app: "nope", action: "list" }, /no app called/],
        [{ app: "tasks", action: "insert", values: { colour: "red" } }, /no field/],
        [{ app: "tasks", action: "insert", values: { name: 7 } }, /must be text/],
        [{ app: "tasks", action: "toggle", id: foreign }, /no record/],
        [{ app: "tasks", action: "delete", id: "1" }, /id must be a whole number/],
        ["{not json", /not valid JSON/],
        [{ app: "tasks", action: "shutdown" }, /not an operation/],
        [{ app: "profiles", action: "delete", id: 1 }, /no app called/],
      ];
      for (const [args, why] of bad) {
        const before = dump(rt.db()).replace(/\["chat",.*?\]\],/s, "");
        const count = s.ws.frames.length;
        s.fake.replies.push({ toolCalls: [{ name: "crud", arguments: args }] });
        s.ws.send({ message: "do something" });
        // A refused call shows as an entry saying why, and the model hears the refusal.
        const refusal = await s.ws.waitFor((f) =>
          s.ws.frames.indexOf(f) >= count && /msg-operation/.test(f.content) &&
          /Refused:/.test(f.content)
        );
        assert.match(refusal.content.replaceAll("&quot;", '"'), why, JSON.stringify(args));
        assert.match(refusal.content, /Nothing was changed/);
        await s.ws.waitFor((f) => s.ws.frames.indexOf(f) >= count && isFinal(f));
        const toolMessage = s.fake.requests.at(-1)!.messages.at(-1)!;
        assert.equal(toolMessage.role, "tool", "the refusal went back to the model");
        const after = dump(rt.db()).replace(/\["chat",.*?\]\],/s, "");
        assert.equal(after, before, `${JSON.stringify(args)} changed data`);
      }
    } finally {
      await s.done();
    }
  },
);
