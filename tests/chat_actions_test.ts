/**
 * What a person does with the conversation: delete, edit and send again,
 * regenerate, export, clear, and one conversation per profile.
 */
import assert from "node:assert/strict";
import { pageHeaders } from "./helpers/browser.ts";
import {
  chatRows,
  type ChatSetup,
  chatSetup,
  chatTest,
  isFinal,
  postForm,
  untilIdle,
} from "./helpers/chat.ts";

async function post(s: ChatSetup, path: string, form: Record<string, string> = {}) {
  const res = await fetch(`${s.server.url}${path}`, {
    method: "POST",
    headers: { ...pageHeaders(s.server), "hx-request": "true" },
    body: new URLSearchParams(form),
  });
  return { status: res.status, text: await res.text() };
}

chatTest("delete removes a message from the conversation and from every open panel", async () => {
  const s = await chatSetup();
  try {
    s.ws.send({ message: "Hello" });
    await s.ws.waitFor(isFinal);
    await untilIdle(s);
    const user = chatRows(s).find((r) => r.role === "user")!;
    assert.equal((await post(s, `/chat/message/${user.id}/delete`)).status, 204);
    assert.equal(chatRows(s).some((r) => r.id === user.id), false);
    await s.ws.waitFor((f) => f.target === `#msg-${user.id}` && /hidden/.test(f.content));
    assert.equal((await post(s, `/chat/message/${user.id}/delete`)).status, 404);
  } finally {
    await s.done();
  }
});

chatTest(
  "edit and send again replaces the question and every later turn, and the model hears the new question",
  async () => {
    const s = await chatSetup();
    try {
      s.fake.replies.push({ tokens: ["First answer."] }, { tokens: ["Second answer."] });
      s.ws.send({ message: "Frist question" });
      await s.ws.waitFor((f) => isFinal(f) && /First answer/.test(f.content));
      await untilIdle(s);
      const question = chatRows(s).find((r) => r.role === "user")!;
      const form = await (await fetch(`${s.server.url}/chat/message/${question.id}/edit`, {
        headers: { "hx-request": "true" },
      })).text();
      assert.match(form, /<textarea name="message"[^>]*>Frist question<\/textarea>/);
      assert.equal(
        (await post(s, `/chat/message/${question.id}/edit`, { message: "First question" })).status,
        202,
      );
      await s.ws.waitFor((f) => isFinal(f) && /Second answer/.test(f.content));
      await untilIdle(s);
      const rows = chatRows(s).filter((r) => r.role !== "system");
      assert.deepEqual(rows.map((r) => [r.role, r.content]), [
        ["user", "First question"],
        ["assistant", "Second answer."],
      ]);
      assert.deepEqual(s.fake.requests[1]!.messages.at(-1), {
        role: "user",
        content: "First question",
      });
      assert.equal(
        s.fake.requests[1]!.messages.some((m) => m.content === "First answer."),
        false,
        "the replaced answer is not in the model's history",
      );
      assert.equal(
        (await post(s, `/chat/message/${question.id}/edit`, { message: "" })).status,
        422,
      );
    } finally {
      await s.done();
    }
  },
);

chatTest(
  "regenerate answers the last question again in place of the last answer, unless it changed something",
  async () => {
    const s = await chatSetup();
    try {
      s.fake.replies.push({ tokens: ["One."] }, { tokens: ["Two."] });
      s.ws.send({ message: "Say a number" });
      await s.ws.waitFor((f) => isFinal(f) && /One\./.test(f.content));
      await untilIdle(s);
      const log = await (await fetch(`${s.server.url}/chat/log`)).text();
      assert.match(log, /hx-post="\/chat\/regenerate"/, "the last answer offers Regenerate");
      assert.equal((await post(s, "/chat/regenerate")).status, 202);
      await s.ws.waitFor((f) => isFinal(f) && /Two\./.test(f.content));
      await untilIdle(s);
      assert.deepEqual(
        chatRows(s).filter((r) => r.role === "assistant").map((r) => r.content),
        ["Two."],
      );
      s.fake.replies.push({
        toolCalls: [{
          name: "crud",
          arguments: { app: "tasks", action: "insert", values: { name: "x" } },
        }],
      }, { tokens: ["Added."] });
      s.ws.send({ message: "Add x" });
      await s.ws.waitFor((f) => isFinal(f) && /Added\./.test(f.content));
      await untilIdle(s);
      const refused = await post(s, "/chat/regenerate");
      assert.equal(refused.status, 409);
      assert.match(refused.text, /undo its changes first/);
      // Editing an earlier question would drop that answer and its Undo: refused the same way.
      const first = chatRows(s).find((r) => r.role === "user")!;
      const edit = await post(s, `/chat/message/${first.id}/edit`, { message: "Say a word" });
      assert.equal(edit.status, 409);
      assert.match(edit.text, /undo its changes first, then edit/);
      assert.equal(chatRows(s).filter((r) => r.role === "user").length, 2, "nothing dropped");
      // Once its change is undone, both work again.
      const summary = chatRows(s).filter((r) => r.role === "operation").at(-1)!;
      assert.equal((await post(s, `/chat/undo/${summary.id}`)).status, 204);
      s.fake.replies.push({ tokens: ["Three."] });
      assert.equal((await post(s, "/chat/regenerate")).status, 202);
      await s.ws.waitFor((f) => isFinal(f) && /Three\./.test(f.content));
    } finally {
      await s.done();
    }
  },
);

chatTest(
  "export gives the conversation as Markdown and as JSON, and clear empties it on every panel",
  async () => {
    const s = await chatSetup();
    try {
      s.fake.replies.push({ tokens: ["Use **bold** and a [link](https://example.com)."] });
      s.ws.send({ message: "Show me Markdown" });
      await s.ws.waitFor(isFinal);
      await untilIdle(s);
      const md = await fetch(`${s.server.url}/chat/export.md`);
      assert.match(md.headers.get("content-disposition") ?? "", /attachment/);
      const text = await md.text();
      assert.match(text, /^# Conversation: Default/);
      assert.match(text, /## You · .*\n\nShow me Markdown/);
      assert.match(text, /## Assistant · .*\n\nUse \*\*bold\*\*/);
      const json = await (await fetch(`${s.server.url}/chat/export.json`)).json();
      assert.equal(json.profile, "Default");
      assert.deepEqual(json.messages.map((m: { role: string }) => m.role), ["user", "assistant"]);

      assert.equal((await post(s, "/chat/clear")).status, 204);
      const cleared = await s.ws.waitFor((f) => f.target === "#chat-log" && f.swap === "innerHTML");
      assert.match(cleared.content, /chat-empty/, "the panel empties, with its hint");
      assert.deepEqual(chatRows(s).filter((r) => r.role !== "system"), []);
      assert.match(await (await fetch(`${s.server.url}/chat/log`)).text(), /chat-empty/);
    } finally {
      await s.done();
    }
  },
);

chatTest("each profile has its own conversation: switching profile switches it", async () => {
  const s = await chatSetup();
  try {
    s.fake.replies.push({ tokens: ["Hi Default."] }, { tokens: ["Hi Acme."] });
    s.ws.send({ message: "I am Default" });
    await s.ws.waitFor((f) => isFinal(f) && /Hi Default/.test(f.content));
    await untilIdle(s);
    await postForm(s, "/profiles", { name: "Acme" });
    const acme = s.server.runtime.services().profiles.choices().find((p) => p.name === "Acme")!;
    assert.equal(await postForm(s, `/profiles/${acme.id}/select`, {}), 204);
    assert.doesNotMatch(await (await fetch(`${s.server.url}/chat/log`)).text(), /I am Default/);
    s.ws.send({ message: "I am Acme" });
    await s.ws.waitFor((f) => isFinal(f) && /Hi Acme/.test(f.content));
    await untilIdle(s);
    assert.equal(
      s.fake.requests[1]!.messages.some((m) => /I am Default|Hi Default/.test(m.content)),
      false,
      "the model does not hear another profile's conversation",
    );
    const def = s.server.runtime.services().profiles.choices().find((p) => p.name === "Default")!;
    await postForm(s, `/profiles/${def.id}/select`, {});
    const log = await (await fetch(`${s.server.url}/chat/log`)).text();
    assert.match(log, /I am Default/);
    assert.doesNotMatch(log, /I am Acme/);
  } finally {
    await s.done();
  }
});

chatTest(
  "a page loads the newest messages of a long conversation, and the earlier ones on request",
  async () => {
    const s = await chatSetup();
    try {
      const { conversation, profiles } = s.server.runtime.services();
      for (let i = 0; i < 80; i++) conversation.add(profiles.current().id!, "user", `message ${i}`);
      const first = await (await fetch(`${s.server.url}/chat/log`)).text();
      assert.match(first, /message 79/);
      assert.doesNotMatch(first, /message 29</);
      const before = first.match(/\/chat\/log\?before=(\d+)/)![1];
      const earlier = await (await fetch(`${s.server.url}/chat/log?before=${before}`)).text();
      assert.match(earlier, /message 29/);
      assert.doesNotMatch(earlier, /message 30</);
    } finally {
      await s.done();
    }
  },
);
