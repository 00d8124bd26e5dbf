/**
 * Workflows run by request through the assistant's workflow tool: a run
 * started and filled in, finalizing and deleting proposed with Apply, a stale
 * or invalid submit refused like a stale form, and another profile's run
 * answering like a missing one.
 */
import assert from "node:assert/strict";
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
      const undo = await pagePost(s.server, `/chat/undo/${summary.id}`);
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
      assert.equal(taskRows(s).length, 1, "nothing is deleted before Apply");
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
        const res = await pagePost(s.server, `/chat/apply/${proposal.id}`);
        assert.equal(res.status, 204, await res.text());
      }
      assert.equal(run().state.finalized, true);
      assert.equal(taskRows(s).length, 0);
      const again = await pagePost(s.server, `/chat/apply/${proposals[0]!.id}`);
      assert.equal(again.status, 409, "a proposal is applied once");

      // An applied proposal is undone like any other change: the run unlocked, the task back.
      for (const proposal of proposals.toReversed()) {
        const log = await (await fetch(`${s.server.url}/chat/log`)).text();
        assert.match(log, new RegExp(`hx-post="/chat/undo/${proposal.id}"`), "Undo is offered");
        const res = await pagePost(s.server, `/chat/undo/${proposal.id}`);
        assert.equal(res.status, 204, await res.text());
      }
      assert.equal(run().state.finalized, false, "the finalize was undone");
      assert.deepEqual(taskRows(s).map((t) => t.name), ["Keep me"], "the deleted task is back");
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
