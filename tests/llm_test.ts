import assert from "node:assert/strict";
import {
  type Chunk,
  createLlm,
  type Llm,
  LlmError,
  type LlmErrorKind,
  type LlmOptions,
  normalizeModel,
  sameModel,
} from "@/lib/llm.ts";
import { createLogger, type Level } from "@/lib/log.ts";
import { type FakeOllama, type FakeReply, startFakeOllama } from "./helpers/fake_ollama.ts";
import { type FakeOpenAi, type FakeOpenAiReply, startFakeOpenAi } from "./helpers/fake_openai.ts";

const ASK = [{ role: "user" as const, content: "Hello" }];
const TOOL = {
  type: "function" as const,
  function: { name: "crud", description: "Change data", parameters: { type: "object" } },
};

/** Everything a chat yielded, and what it threw. */
async function run(
  llm: Llm,
  model: string,
  options: Parameters<Llm["chat"]>[2] = {},
  messages: Parameters<Llm["chat"]>[1] = ASK,
): Promise<{ chunks: Chunk[]; text: string; error?: LlmError }> {
  const chunks: Chunk[] = [];
  try {
    for await (const chunk of llm.chat(model, messages, options)) chunks.push(chunk);
  } catch (error) {
    if (!(error instanceof LlmError)) throw error;
    return { chunks, text: texts(chunks), error };
  }
  return { chunks, text: texts(chunks) };
}

function texts(chunks: Chunk[]): string {
  return chunks.map((c) => "text" in c ? c.text : "").join("");
}

/** A logger whose lines the test can read. */
function capture() {
  const lines: [Level, string][] = [];
  return { lines, log: createLogger({ level: "debug", sink: (l, line) => lines.push([l, line]) }) };
}

async function withOllama(
  fn: (fake: FakeOllama, llm: (o?: Partial<LlmOptions>) => Llm) => Promise<void>,
  options: Parameters<typeof startFakeOllama>[0] = {},
) {
  const fake = await startFakeOllama(options);
  try {
    await fn(fake, (o = {}) => createLlm({ host: fake.url, stallMs: 300, ...o } as LlmOptions));
  } finally {
    await fake.close();
  }
}

async function withOpenAi(
  fn: (fake: FakeOpenAi, llm: (o?: Partial<LlmOptions>) => Llm) => Promise<void>,
  options: Parameters<typeof startFakeOpenAi>[0] = {},
) {
  const fake = await startFakeOpenAi(options);
  try {
    await fn(
      fake,
      (o = {}) => createLlm({ api: "openai", url: fake.url, stallMs: 300, ...o } as LlmOptions),
    );
  } finally {
    await fake.close();
  }
}

/** A port nothing listens on. */
function deadUrl(): string {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return `http://127.0.0.1:${port}`;
}

// ---- Ollama ----------------------------------------------------------------------------

Deno.test("Ollama: text streams token by token, then whole tool calls, then one done chunk with the reason and token counts", async () => {
  await withOllama(async (fake, llm) => {
    fake.replies.push({
      tokens: ["Hi", " Ada"],
      toolCalls: [{ name: "crud", arguments: { app: "tasks", action: "list" }, id: "call_abc" }],
    });
    const { chunks, error } = await run(llm(), "llama3.2", { tools: [TOOL] });
    assert.equal(error, undefined);
    assert.deepEqual(chunks, [
      { text: "Hi" },
      { text: " Ada" },
      { tool: { id: "call_abc", name: "crud", arguments: { app: "tasks", action: "list" } } },
      { done: { reason: "stop", promptTokens: 1, answerTokens: 2 } },
    ]);
    const sent = fake.requests[0]!;
    assert.equal(sent.stream, true);
    assert.deepEqual(sent.tools, [TOOL]);
  });
});

Deno.test("Ollama: tool calls on the last line, a line split across writes and a split multibyte character all arrive intact", async () => {
  await withOllama(async (fake, llm) => {
    fake.replies.push({
      tokens: ["héllo", " wörld ✓"],
      split: true,
      toolCallsOnDone: true,
      toolCalls: [{ name: "crud", arguments: { app: "tasks" } }],
      doneReason: "length",
    });
    const { chunks, text, error } = await run(llm(), "llama3.2:latest");
    assert.equal(error, undefined);
    assert.equal(text, "héllo wörld ✓");
    const tool = chunks.find((c) => "tool" in c) as { tool: { id?: string; name: string } };
    assert.equal(tool.tool.name, "crud");
    assert.match(tool.tool.id ?? "", /^call_[a-z0-9]{8}$/);
    assert.deepEqual(chunks.at(-1), {
      done: { reason: "length", promptTokens: 1, answerTokens: 2 },
    });
  });
});

Deno.test("Ollama: assistant tool calls and tool results are sent in Ollama's shape", async () => {
  await withOllama(async (fake, llm) => {
    await run(llm(), "llama3.2", {}, [
      { role: "system", content: "Be brief." },
      { role: "user", content: "List tasks" },
      {
        role: "assistant",
        content: "",
        toolCalls: [{ id: "call_1", name: "crud", arguments: '{"app":"tasks"}' }],
      },
      { role: "tool", content: "- #1 Buy milk", toolName: "crud", toolCallId: "call_1" },
    ]);
    assert.deepEqual(fake.requests[0]!.messages, [
      { role: "system", content: "Be brief." },
      { role: "user", content: "List tasks" },
      {
        role: "assistant",
        content: "",
        tool_calls: [{ id: "call_1", function: { name: "crud", arguments: { app: "tasks" } } }],
      },
      { role: "tool", content: "- #1 Buy milk", tool_name: "crud", tool_call_id: "call_1" },
    ]);
  });
});

const OLLAMA_FAULTS: [string, FakeReply | null, LlmErrorKind, RegExp, string][] = [
  [
    "an HTTP 500",
    { fault: "500", errorText: "out of memory" },
    "http",
    /^Ollama answered with an error \(500\): out of memory$/,
    "",
  ],
  [
    "an error line in the middle of the stream",
    { tokens: ["Partial"], fault: "error-midstream", errorText: "the model crashed" },
    "stream-error",
    /^Ollama reported an error: the model crashed$/,
    "Partial",
  ],
  [
    "a line that is not JSON",
    { tokens: ["Partial"], fault: "malformed" },
    "malformed",
    /cut off.*unreadable line.*may be incomplete/,
    "Partial",
  ],
  [
    "a stream that ends without done",
    { tokens: ["Partial"], fault: "cut" },
    "cut",
    /cut off: Ollama closed the stream/,
    "Partial",
  ],
  [
    "a stall",
    { tokens: ["Partial"], fault: "stall" },
    "stall",
    /^Ollama stopped sending for 0\.3 s;/,
    "Partial",
  ],
];

for (const [what, reply, kind, message, kept] of OLLAMA_FAULTS) {
  Deno.test(`Ollama: ${what} is a "${kind}" error with a clear message, after the text that arrived`, async () => {
    await withOllama(async (fake, llm) => {
      if (reply) fake.replies.push(reply);
      const { text, chunks, error } = await run(llm(), "llama3.2");
      assert.equal(error?.kind, kind);
      assert.match(error!.message, message);
      assert.equal(text, kept);
      assert.ok(!chunks.some((c) => "done" in c), "a failed answer never reports done");
    });
  });
}

Deno.test("Ollama: a malformed line is logged through the injected logger and the rest of the stream is not trusted", async () => {
  const { lines, log } = capture();
  await withOllama(async (fake, llm) => {
    fake.replies.push({ tokens: ["Partial"], fault: "malformed" });
    const { error } = await run(llm({ log }), "llama3.2");
    assert.equal(error?.kind, "malformed");
    assert.deepEqual(lines.map(([level]) => level), ["warn"]);
    assert.match(lines[0]![1], /unreadable line from Ollama: \{"model": "oops"/);
  });
});

Deno.test("Ollama: a missing model is 'model-missing' with the pull command, in both server wordings", async () => {
  for (const legacyNotFound of [false, true]) {
    await withOllama(async (_fake, llm) => {
      const { error } = await run(llm(), "llama9");
      assert.equal(error?.kind, "model-missing");
      assert.equal(error?.status, 404);
      assert.match(
        error!.message,
        /The model "llama9" is not on the Ollama server.*ollama pull llama9/,
      );
    }, { legacyNotFound });
  }
});

Deno.test("Ollama: tools offered to a model without tool support is 'no-tools', so the chat can ask again without them", async () => {
  await withOllama(async (fake, llm) => {
    const { error } = await run(llm(), "gemma", { tools: [TOOL] });
    assert.equal(error?.kind, "no-tools");
    assert.match(
      error!.message,
      /registry\.ollama\.ai\/library\/gemma:latest does not support tools/,
    );
    fake.replies.push({ tokens: ["Fine"] });
    assert.equal((await run(llm(), "gemma")).text, "Fine", "the same question without tools works");
  }, { models: ["llama3.2:latest", { name: "gemma:latest", tools: false }] });
});

Deno.test("Ollama: a 2 MB error body becomes a short message", async () => {
  await withOllama(async (fake, llm) => {
    fake.replies.push({ fault: "oversize" });
    const { error } = await run(llm(), "llama3.2");
    assert.equal(error?.kind, "http");
    assert.ok(error!.message.length < 400, `${error!.message.length} characters`);
    assert.match(error!.message, /\(500\): x+…$/);
  });
});

Deno.test("Ollama: a server that is not running is 'down', and healthy() says false", async () => {
  const llm = createLlm({ host: deadUrl() });
  const { error } = await run(llm, "llama3.2");
  assert.equal(error?.kind, "down");
  assert.match(
    error!.message,
    /Ollama is not answering at http:\/\/127\.0\.0\.1:\d+\. Is it running\?/,
  );
  assert.equal(await llm.healthy(), false);
  await assert.rejects(llm.models(), (e: LlmError) => e.kind === "down");
});

Deno.test("Ollama: aborting stops the answer as 'stopped' and keeps what arrived", async () => {
  await withOllama(async (fake, llm) => {
    fake.replies.push({ tokens: ["one", " two", " three", " four"], delayMs: 100 });
    const controller = new AbortController();
    const chunks: Chunk[] = [];
    const error = await (async () => {
      try {
        for await (const chunk of llm({ stallMs: 5000 }).chat("llama3.2", ASK, controller)) {
          chunks.push(chunk);
          controller.abort();
        }
      } catch (e) {
        return e as LlmError;
      }
    })();
    assert.equal(error?.kind, "stopped");
    assert.equal(error?.message, "Stopped.");
    assert.deepEqual(chunks, [{ text: "one" }]);
  });
});

Deno.test("Ollama: a server that never starts answering is given up after startMs", async () => {
  const never = Promise.withResolvers<Response>();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () => never.promise);
  try {
    const llm = createLlm({ host: `http://127.0.0.1:${server.addr.port}`, startMs: 200 });
    const started = performance.now();
    const { error } = await run(llm, "llama3.2");
    assert.equal(error?.kind, "stall");
    assert.match(error!.message, /did not start answering within 0\.2 s;/);
    assert.ok(performance.now() - started < 2000);
  } finally {
    never.resolve(new Response("late"));
    await server.shutdown();
  }
});

Deno.test("Ollama: each token is handed on as soon as its line arrives", async () => {
  await withOllama(async (fake, llm) => {
    fake.replies.push({ tokens: Array.from({ length: 20 }, (_, i) => ` t${i}`), delayMs: 15 });
    const arrived: number[] = [];
    for await (const chunk of llm().chat("llama3.2", ASK)) {
      if ("text" in chunk) arrived.push(performance.now());
    }
    const gaps = arrived.map((t, i) => t - fake.sentAt[i]!).sort((a, b) => a - b);
    assert.equal(gaps.length, 20);
    assert.ok(gaps[10]! < 10, `median relay ${gaps[10]!.toFixed(2)} ms`);
  });
});

Deno.test("Ollama: models() lists tagged names with their details", async () => {
  await withOllama(async (_fake, llm) => {
    assert.deepEqual(await llm().models(), [
      {
        name: "llama3.2:latest",
        size: 2_019_393_189,
        family: "llama",
        parameterSize: "3.2B",
        quantization: "Q4_K_M",
      },
      {
        name: "qwen3:4b",
        size: 2_500_000_000,
        family: "qwen3",
        parameterSize: "4.0B",
        quantization: "Q4_K_M",
      },
    ]);
    assert.equal(await llm().healthy(), true);
  }, {
    models: [
      "llama3.2",
      { name: "qwen3:4b", size: 2_500_000_000, family: "qwen3", parameterSize: "4.0B" },
    ],
  });
});

Deno.test("model names are compared the way Ollama resolves them", () => {
  const same: [string, string][] = [
    ["llama3.2", "llama3.2:latest"],
    ["Llama3.2", "llama3.2:latest"],
    ["registry.ollama.ai/library/llama3.2:latest", "llama3.2"],
    ["library/gemma", "gemma:latest"],
    ["hf.co/bartowski/Qwen-GGUF:Q4_K_M", "hf.co/bartowski/qwen-gguf:q4_k_m"],
  ];
  for (const [a, b] of same) assert.ok(sameModel(a, b), `${a} = ${b}`);
  const different: [string, string][] = [
    ["llama3.2", "llama3.2:1b"],
    ["llama3.2", "llama3.1"],
    ["someone/llama3.2", "llama3.2"],
  ];
  for (const [a, b] of different) assert.ok(!sameModel(a, b), `${a} ≠ ${b}`);
  assert.equal(normalizeModel("llama3.2"), "llama3.2:latest");
  assert.equal(normalizeModel("localhost:5000/team/model"), "localhost:5000/team/model:latest");
  assert.equal(normalizeModel("model@sha256:abc"), "model@sha256:abc");
});

// ---- OpenAI-compatible -----------------------------------------------------------------

Deno.test("OpenAI: text streams, tool-call fragments are assembled by index, and done carries finish_reason and usage", async () => {
  await withOpenAi(async (fake, llm) => {
    fake.replies.push({
      tokens: ["Adding", " it."],
      toolCalls: [
        { name: "crud", arguments: { app: "tasks", action: "insert", values: { name: "Milk" } } },
        { name: "crud", arguments: { app: "tasks", action: "list" }, id: "call_2" },
      ],
    });
    const { chunks, error } = await run(
      llm({ apiKey: "sk-test" } as Partial<LlmOptions>),
      "qwen2.5-7b-instruct",
      { tools: [TOOL] },
    );
    assert.equal(error, undefined);
    assert.deepEqual(chunks.slice(0, 2), [{ text: "Adding" }, { text: " it." }]);
    const tools = chunks.filter((c) => "tool" in c).map((c) => (c as { tool: unknown }).tool);
    assert.equal(tools.length, 2);
    assert.deepEqual((tools[0] as { arguments: unknown }).arguments, {
      app: "tasks",
      action: "insert",
      values: { name: "Milk" },
    });
    assert.deepEqual(tools[1], {
      id: "call_2",
      name: "crud",
      arguments: { app: "tasks", action: "list" },
    });
    assert.deepEqual(chunks.at(-1), {
      done: { reason: "tool_calls", promptTokens: 1, answerTokens: 2 },
    });
    const sent = fake.requests[0]!;
    assert.equal(sent.stream, true);
    assert.deepEqual(sent.stream_options, { include_usage: true });
    assert.deepEqual(sent.tools, [TOOL]);
  }, { apiKey: "sk-test" });
});

Deno.test("OpenAI: whole tool calls in one delta (Ollama's /v1) and an answer without [DONE] after its finish reason are complete", async () => {
  await withOpenAi(async (fake, llm) => {
    fake.replies.push({
      wholeToolCalls: true,
      toolCalls: [{ name: "crud", arguments: { app: "tasks" } }],
      fault: "no-done",
    });
    const { chunks, error } = await run(llm(), "qwen2.5-7b-instruct");
    assert.equal(error, undefined);
    assert.equal(chunks.length, 2);
    assert.deepEqual((chunks[0] as { tool: { arguments: unknown } }).tool.arguments, {
      app: "tasks",
    });
    assert.equal((chunks[1] as { done: { reason: string } }).done.reason, "tool_calls");
  });
});

Deno.test("OpenAI: assistant tool calls and tool results are sent in OpenAI's shape, ids matched", async () => {
  await withOpenAi(async (fake, llm) => {
    await run(llm(), "qwen2.5-7b-instruct", {}, [
      { role: "user", content: "List tasks" },
      {
        role: "assistant",
        content: "",
        toolCalls: [{ name: "crud", arguments: { app: "tasks" } }],
      },
      { role: "tool", content: "- #1 Buy milk", toolName: "crud" },
    ]);
    const [, assistant, tool] = fake.requests[0]!.messages as Record<string, unknown>[];
    assert.deepEqual(assistant, {
      role: "assistant",
      content: null,
      tool_calls: [{
        id: "call_0",
        type: "function",
        function: { name: "crud", arguments: '{"app":"tasks"}' },
      }],
    });
    assert.deepEqual(tool, { role: "tool", content: "- #1 Buy milk", tool_call_id: "call_0" });
  });
});

const OPENAI_FAULTS: [string, FakeOpenAiReply, LlmErrorKind, RegExp, string][] = [
  [
    "an HTTP 500",
    { fault: "500", errorText: "boom" },
    "http",
    /^The model server answered with an error \(500\): boom$/,
    "",
  ],
  [
    "a data frame with an error",
    { tokens: ["Partial"], fault: "error-midstream", errorText: "context overflow" },
    "stream-error",
    /^The model server reported an error: context overflow$/,
    "Partial",
  ],
  [
    "an `event: error` frame (LM Studio)",
    { tokens: ["Partial"], fault: "error-event", errorText: "model crashed" },
    "stream-error",
    /reported an error: model crashed/,
    "Partial",
  ],
  [
    "a bare `error:` field (older llama.cpp)",
    { tokens: ["Partial"], fault: "legacy-error", errorText: "slot unavailable" },
    "stream-error",
    /reported an error: slot unavailable/,
    "Partial",
  ],
  [
    "a data frame that is not JSON",
    { tokens: ["Partial"], fault: "malformed" },
    "malformed",
    /cut off: the model server sent an unreadable line/,
    "Partial",
  ],
  [
    "tool-call arguments that are not JSON",
    { toolCalls: [{ name: "crud", arguments: '{"app": "tas' }] },
    "malformed",
    /unreadable tool call \("crud"\)/,
    "",
  ],
  [
    "a stream that ends with no finish reason and no [DONE]",
    { tokens: ["Partial"], fault: "cut" },
    "cut",
    /cut off: the model server closed the stream/,
    "Partial",
  ],
  [
    "a stall",
    { tokens: ["Partial"], fault: "stall" },
    "stall",
    /^The model server stopped sending for 0\.3 s;/,
    "Partial",
  ],
];

for (const [what, reply, kind, message, kept] of OPENAI_FAULTS) {
  Deno.test(`OpenAI: ${what} is a "${kind}" error with a clear message, after the text that arrived`, async () => {
    await withOpenAi(async (fake, llm) => {
      fake.replies.push(reply);
      const { text, chunks, error } = await run(llm(), "qwen2.5-7b-instruct");
      assert.equal(error?.kind, kind);
      assert.match(error!.message, message);
      assert.equal(text, kept);
      assert.ok(!chunks.some((c) => "done" in c || "tool" in c));
    });
  });
}

Deno.test("OpenAI: unreadable tool-call arguments are logged through the injected logger", async () => {
  const { lines, log } = capture();
  await withOpenAi(async (fake, llm) => {
    fake.replies.push({ toolCalls: [{ name: "crud", arguments: "{nope" }] });
    assert.equal((await run(llm({ log }), "qwen2.5-7b-instruct")).error?.kind, "malformed");
    assert.deepEqual(lines.map(([level]) => level), ["warn"]);
    assert.match(lines[0]![1], /unreadable arguments for tool call "crud": \{nope/);
  });
});

Deno.test("OpenAI: a missing model, a tool-less model, a wrong key and a 2 MB error each get their kind and a short message", async () => {
  await withOpenAi(async (fake, llm) => {
    const missing = (await run(llm({ apiKey: "k" } as Partial<LlmOptions>), "gpt-9")).error!;
    assert.equal(missing.kind, "model-missing");
    assert.match(missing.message, /The model "gpt-9" is not available at .*does not exist/);

    const noTools =
      (await run(llm({ apiKey: "k" } as Partial<LlmOptions>), "plain", { tools: [TOOL] })).error!;
    assert.equal(noTools.kind, "no-tools");
    assert.match(noTools.message, /does not support tools.*--jinja/);

    const wrongKey = (await run(llm({ apiKey: "sk-wrong" } as Partial<LlmOptions>), "plain"))
      .error!;
    assert.equal(wrongKey.kind, "http");
    assert.equal(wrongKey.status, 401);
    assert.match(wrongKey.message, /\(401\): Incorrect API key provided/);

    fake.replies.push({ fault: "oversize" });
    const huge = (await run(llm({ apiKey: "k" } as Partial<LlmOptions>), "plain")).error!;
    assert.equal(huge.kind, "http");
    assert.ok(huge.message.length < 400, `${huge.message.length} characters`);
  }, { apiKey: "k", models: ["qwen2.5-7b-instruct", { id: "plain", tools: false }] });
});

Deno.test("OpenAI: a server that is not running is 'down'; models() lists what /models gives", async () => {
  const llm = createLlm({ api: "openai", url: `${deadUrl()}/v1` });
  const { error } = await run(llm, "x");
  assert.equal(error?.kind, "down");
  assert.match(
    error!.message,
    /The model server is not answering at http:\/\/127\.0\.0\.1:\d+\/v1/,
  );
  assert.equal(await llm.healthy(), false);
  await withOpenAi(async (_fake, llm) => {
    assert.deepEqual(await llm().models(), [{ name: "a-model" }, { name: "b-model" }]);
  }, { models: ["b-model", "a-model"] });
});

Deno.test("OpenAI: aborting stops the answer as 'stopped'", async () => {
  await withOpenAi(async (fake, llm) => {
    fake.replies.push({ tokens: ["one", " two", " three"], delayMs: 100 });
    const controller = new AbortController();
    const chunks: Chunk[] = [];
    await assert.rejects(async () => {
      for await (
        const chunk of llm({ stallMs: 5000 }).chat("qwen2.5-7b-instruct", ASK, controller)
      ) {
        chunks.push(chunk);
        controller.abort();
      }
    }, (e: LlmError) => e.kind === "stopped");
    assert.deepEqual(chunks, [{ text: "one" }]);
  });
});
