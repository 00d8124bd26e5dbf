import assert from "node:assert/strict";
import { CLOSE_REASONS } from "@/chat/hub_api.ts";
import type { Retirement } from "@/services/mod.ts";
import { dump } from "./helpers/app.ts";
import { pageHeaders, startTestServer } from "./helpers/browser.ts";
import {
  chatRows,
  type ChatSetup,
  chatSetup,
  chatTest,
  isError,
  postForm,
  stamp,
} from "./helpers/chat.ts";
import { startFakeOllama } from "./helpers/fake_ollama.ts";
import { connect } from "./helpers/ws_client.ts";

type Setup = ChatSetup;
const setup = chatSetup;
const test = chatTest;
const rows = chatRows;

test("a message streams its answer token by token to every open page, and a page opened later shows it", async () => {
  const s = await setup();
  const other = await connect(s.wsUrl, { context: () => stamp(s.server) });
  try {
    s.fake.replies.push({ tokens: ["Hi", " Ada", ", how", " can I help?"], delayMs: 5 });
    s.ws.send({ message: "Hello there" });
    const user = await s.ws.waitFor((f) => /msg-user/.test(f.content));
    assert.match(user.content, /Hello there/);
    for (const client of [s.ws, other]) {
      await client.waitFor((f) => f.swap === "beforeend" && f.content === " Ada");
      const final = await client.waitFor((f) =>
        f.swap === "outerHTML" && /msg-assistant/.test(f.content)
      );
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
});

test("the history keeps at most its limit, always keeps the system message, and survives a restart", async () => {
  const dataDir = await Deno.makeTempDir();
  let s = await setup({ chatHistory: 5 }, dataDir);
  for (let i = 1; i <= 4; i++) {
    s.fake.replies.push({ tokens: [`answer ${i}`] });
    s.ws.send({ message: `question ${i}` });
    await s.ws.waitFor((f) => f.swap === "outerHTML" && f.content.includes(`answer ${i}`));
  }
  let stored = rows(s);
  assert.equal(stored.length, 5);
  assert.equal(stored[0]!.role, "system");
  assert.deepEqual(stored.slice(1).map((r) => r.content), [
    "question 3",
    "answer 3",
    "question 4",
    "answer 4",
  ]);
  await s.done();
  s = await setup({ chatHistory: 5 }, dataDir);
  try {
    stored = rows(s);
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
    assert.equal(rows(s).length, 5);
  } finally {
    await s.done();
    await Deno.remove(dataDir, { recursive: true });
  }
});

const FAULTS: [string, (s: Setup) => void, RegExp][] = [
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
  test(`${name} shows a clear message in the chat, keeps what was streamed, and the next message works`, async () => {
    const s = await setup();
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
        const kept = rows(s).find((r) => r.role === "assistant");
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
  });
}

test("the next message works once Ollama is back", async () => {
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

test("stop aborts a streaming answer and keeps what arrived", async () => {
  const s = await setup({ llmStallMs: 10_000 });
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
    const kept = rows(s).find((r) => r.role === "assistant")!.content;
    assert.match(kept, /^one two/);
    assert.doesNotMatch(kept, /six/);
  } finally {
    await s.done();
  }
});

test("HTML in the model's answer arrives escaped, streamed and final", async () => {
  const s = await setup();
  try {
    s.fake.replies.push({
      tokens: ["Look: ", "<img src=x onerror=alert(1)>", " <script>alert(2)</script>"],
    });
    s.ws.send({ message: "<b>bold?</b>" });
    const final = await s.ws.waitFor((f) =>
      f.swap === "outerHTML" && /msg-assistant/.test(f.content)
    );
    for (const frame of s.ws.frames) {
      assert.doesNotMatch(frame.content, /<img|<script|<b>/, JSON.stringify(frame));
    }
    assert.match(final.content, /&lt;img src=x onerror=alert\(1\)&gt;/);
  } finally {
    await s.done();
  }
});

test("a valid operation from the model changes the table, updates the list, and can be undone", async () => {
  const s = await setup();
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
    const undo = await fetch(`${s.server.url}/chat/undo/${id}`, {
      method: "POST",
      headers: pageHeaders(s.server),
    });
    assert.equal(undo.status, 204);
    assert.deepEqual(tasks(), []);
    await s.ws.waitFor((f) => /Undone: Deleted/.test(f.content));
    assert.equal(
      (await fetch(`${s.server.url}/chat/undo/${id}`, {
        method: "POST",
        headers: pageHeaders(s.server),
      })).status,
      404,
      "an undo runs once",
    );
  } finally {
    await s.done();
  }
});

test("each invalid operation from the model is refused with an explanation and changes nothing", async () => {
  const s = await setup();
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
      await s.ws.waitFor((f) =>
        s.ws.frames.indexOf(f) >= count && f.swap === "outerHTML" && /msg-assistant/.test(f.content)
      );
      const toolMessage = s.fake.requests.at(-1)!.messages.at(-1)!;
      assert.equal(toolMessage.role, "tool", "the refusal went back to the model");
      const after = dump(rt.db()).replace(/\["chat",.*?\]\],/s, "");
      assert.equal(after, before, `${JSON.stringify(args)} changed data`);
    }
  } finally {
    await s.done();
  }
});

test("workflow steps add notes to the chat without delaying the request", async () => {
  const s = await setup();
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

test("a message from a page of another database or profile is answered on that page alone and goes nowhere", async () => {
  const s = await setup();
  const stale = await connect(s.wsUrl, { context: () => "production.gone.1" });
  try {
    const before = rows(s).length;
    stale.send({ message: "Delete everything" });
    const refused = await stale.waitFor(isError);
    assert.match(
      refused.content,
      /shows the Production database, but Cardflow now uses Development/,
    );
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(rows(s).length, before, "nothing was stored");
    assert.equal(s.fake.requests.length, 0, "the model was not asked");
    assert.equal(s.ws.frames.length, 0, "other pages heard nothing");
  } finally {
    await stale.close();
    await s.done();
  }
});

test("a switch, a reset and a restore each close every chat socket with its own reason", async () => {
  const s = await setup();
  const databases = () => s.server.runtime.deps().databases;
  const { backupDir } = databases();
  const backup = await databases().backup();
  const changes: [Retirement, () => Promise<unknown>][] = [
    ["switch", () => postForm(s, "/environment", { to: "production" })],
    ["switch", () => postForm(s, "/environment", { to: "development" })],
    ["reset", () => postForm(s, "/environment/reset", {})],
    ["restore", () => databases().restore(`${backupDir}/${backup.name}`, { allowEmpty: true })],
  ];
  try {
    for (const [why, change] of changes) {
      const socket = new WebSocket(s.wsUrl);
      const closed = new Promise<{ code: number; reason: string }>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${why}: the socket stayed open`)), 5000);
        socket.onclose = (e) => {
          clearTimeout(timer);
          resolve({ code: e.code, reason: e.reason });
        };
      });
      await new Promise((resolve) => socket.onopen = resolve);
      // The whole change, so the next socket opens on the database it leaves in use.
      await change();
      assert.deepEqual(await closed, { code: 1012, reason: CLOSE_REASONS[why] }, why);
    }
    // A socket that joins a hub whose database already went away is told at once.
    const retired = s.server.runtime.chat();
    await postForm(s, "/environment", { to: "production" });
    const told: [number, string][] = [];
    retired.join({ send() {}, close: (code, reason) => told.push([code, reason]) });
    assert.deepEqual(told, [[1012, CLOSE_REASONS.switch]]);
    assert.match(CLOSE_REASONS.restore, /restore a backup/);
    assert.equal(new Set(Object.values(CLOSE_REASONS)).size, 4, "each reason is its own");
  } finally {
    await s.done();
  }
});

test("a WebSocket from another origin is refused", async () => {
  const s = await setup();
  try {
    await assert.rejects(
      () => connect(s.wsUrl, { origin: "http://evil.example" }),
      /could not connect/,
    );
    const ok = await connect(s.wsUrl, { origin: `http://127.0.0.1:${s.server.port}` });
    await ok.close();
  } finally {
    await s.done();
  }
});

test("the status light reports Ollama and its models", async () => {
  const s = await setup();
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

test("poke asks the model for a nudge about the page the person is on", async () => {
  const s = await setup();
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

test("the model comments on workflow steps only when the person switched commentary on, without delaying the request", async () => {
  const s = await setup();
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
      rows(s).filter((r) => r.role === "user").length,
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
});
