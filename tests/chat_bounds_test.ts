/**
 * A hostile model held to its bounds (issue 15's model items): tool calls
 * and changes per answer, rounds, answer size, no ids or positions of its
 * choosing, nothing of another profile's, and no tool calls from a comment
 * or a Poke.
 */
import assert from "node:assert/strict";
import { ANSWER_LIMITS } from "@/chat/answer.ts";
import {
  chatRows,
  chatSetup,
  chatTest,
  isError,
  isFinal,
  pagePost,
  postForm,
  settled,
  taskRows,
} from "./helpers/chat.ts";

chatTest(
  "a hostile model: 2,000 tool calls in one answer create at most the bound, and one Undo removes them all",
  async () => {
    const s = await chatSetup();
    try {
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
      assert.equal(taskRows(s).length, ANSWER_LIMITS.toolCalls);
      assert.equal(s.fake.requests.length, 1, "the model is not asked again after the bound");
      const summary = chatRows(s).find((r) => /This answer made 20 changes/.test(r.content))!;
      const undo = await pagePost(s.server, `/chat/undo/${summary.id}`);
      assert.equal(undo.status, 204);
      assert.equal(taskRows(s).length, 0, "one Undo removed all twenty");
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
      const mine = taskRows(s).filter((t) => t.profile_id !== 999);
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
      assert.deepEqual(taskRows(s), [], "no tool call of theirs ran");
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
