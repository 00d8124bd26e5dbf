/**
 * What the chat says without a question: notes of workflow steps, a Poke's
 * nudge about the page, and the model's commentary when switched on, none of
 * them delaying the request that caused it.
 */
import assert from "node:assert/strict";
import { pageHeaders } from "./helpers/browser.ts";
import { chatRows, chatSetup, chatTest, isError, postForm } from "./helpers/chat.ts";

chatTest("workflow steps add notes to the chat without delaying the request", async () => {
  const s = await chatSetup();
  try {
    await postForm(s, "/hello/start", { key: "noted" });
    await postForm(s, "/hello/run/noted/step/step_01", { version: "1", name: "Ada" });
    await s.ws.waitFor((f) =>
      /msg-note/.test(f.content) && /noted: submitted “Your name”/.test(f.content)
    );
  } finally {
    await s.done();
  }
});

chatTest("poke asks the model for a nudge about the page the person is on", async () => {
  const s = await chatSetup();
  try {
    s.fake.replies.push({ tokens: ["Try adding a task."] });
    const res = await fetch(`${s.server.url}/chat/poke`, {
      method: "POST",
      headers: pageHeaders(s.server),
      body: new URLSearchParams({ where: "/tasks (Tasks · Cardflow)" }),
    });
    assert.equal(res.status, 202);
    await s.ws.waitFor((f) => /msg-note/.test(f.content) && /Poke from \/tasks/.test(f.content));
    await s.ws.waitFor((f) => f.swap === "outerHTML" && f.content.includes("Try adding a task."));
    const asked = s.fake.requests.at(-1)!.messages.at(-1)!;
    assert.equal(asked.role, "user");
    assert.match(asked.content, /pressed "Poke" while looking at \/tasks/);
  } finally {
    await s.done();
  }
});

chatTest(
  "the model comments on workflow steps only when the person switched commentary on, without delaying the request",
  async () => {
    const s = await chatSetup();
    try {
      const post = (path: string, body: Record<string, string>) => postForm(s, path, body);
      await post("/hello/start", { key: "quiet" });
      await post("/hello/run/quiet/step/step_01", { version: "1", name: "Ada" });
      await s.ws.waitFor((f) => /quiet: submitted/.test(f.content));
      await s.server.runtime.deps().bus.idle();
      assert.equal(s.fake.requests.length, 0, "no commentary unless asked for");

      assert.equal(await post("/chat/commentary", { on: "on" }), 204);
      assert.match(await (await fetch(`${s.server.url}/chat/status`)).text(), /name="on" checked/);
      s.fake.replies.push({ tokens: ["Nice name."], delayMs: 300 });
      assert.equal(await post("/hello/start", { key: "talky" }), 200);
      const started = performance.now();
      assert.equal(await post("/hello/run/talky/step/step_01", { version: "1", name: "Ada" }), 200);
      assert.ok(performance.now() - started < 250, "the request did not wait for the model");
      await s.ws.waitFor((f) => f.swap === "outerHTML" && f.content.includes("Nice name."));
      assert.match(
        s.fake.requests[0]!.messages.at(-1)!.content,
        /Cardflow event: Hello · talky: submitted “Your name”/,
      );
      assert.equal(s.fake.requests[0]!.tools, undefined, "commentary is offered no tools");
      assert.equal(
        chatRows(s).filter((r) => r.role === "user").length,
        0,
        "commentary adds no message of the person's",
      );

      // A failing model stays out of the chat while commenting.
      s.fake.replies.push({ fault: "500" });
      await post("/hello/run/talky/step/step_01", { version: "2", name: "Grace" });
      await s.ws.waitFor((f) => /talky: submitted/.test(f.content));
      await s.server.runtime.deps().bus.idle();
      assert.equal(s.ws.frames.filter(isError).length, 0);
    } finally {
      await s.done();
    }
  },
);
