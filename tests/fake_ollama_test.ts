/**
 * The fake Ollama checked against Ollama's own documentation, read with plain
 * `fetch` rather than Cardflow's client, so the double cannot drift towards
 * what the client happens to accept. The examples below are from
 * ollama/ollama docs/api.md ("Chat request (Streaming)", "Chat request
 * (Streaming with tools)", "List Local Models") and docs/api/errors.mdx;
 * the error texts are from server/routes.go and server/images.go.
 */

import assert from "node:assert/strict";
import { startFakeOllama } from "./helpers/fake_ollama.ts";

// docs/api.md, "Chat request (Streaming)". The doc's `"images": null` is left out: the
// field is `omitempty` in api/types.go, so a current server never sends it empty.
const DOC_TOKEN = {
  model: "llama3.2",
  created_at: "2023-08-04T08:52:19.385406455-07:00",
  message: { role: "assistant", content: "The" },
  done: false,
};

// docs/api.md, "Chat request (Streaming with tools)": the tool call, then the last line.
const DOC_TOOL_CALL = {
  model: "llama3.2",
  created_at: "2025-07-07T20:22:19.184789Z",
  message: {
    role: "assistant",
    content: "",
    tool_calls: [{ function: { name: "get_weather", arguments: { city: "Tokyo" } } }],
  },
  done: false,
};
const DOC_LAST = {
  model: "llama3.2",
  created_at: "2025-07-07T20:22:19.19314Z",
  message: { role: "assistant", content: "" },
  done_reason: "stop",
  done: true,
  total_duration: 182242375,
  load_duration: 41295167,
  prompt_eval_count: 169,
  prompt_eval_duration: 24573166,
  eval_count: 15,
  eval_duration: 115959084,
};

// docs/api.md, "List Local Models" (one of its two entries).
const DOC_TAGS = {
  models: [{
    name: "llama3.2:latest",
    model: "llama3.2:latest",
    modified_at: "2025-05-04T17:37:44.706015396-07:00",
    size: 2019393189,
    digest: "a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72",
    details: {
      parent_model: "",
      format: "gguf",
      family: "llama",
      families: ["llama"],
      parameter_size: "3.2B",
      quantization_level: "Q4_K_M",
    },
  }],
};

const ASK = [{ role: "user", content: "why is the sky blue?" }];

// docs/api/errors.mdx: the body of an error, before or during a stream.
const DOC_ERROR = { error: "the model failed to generate a response" };

/** The keys and value types of `value`, recursively; arrays by their first element. */
function shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.length ? [shape(value[0])] : [];
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, shape(v)]),
    );
  }
  return value === null ? "null" : typeof value;
}

async function chatLines(url: string, body: unknown) {
  const res = await fetch(`${url}/api/chat`, { method: "POST", body: JSON.stringify(body) });
  const text = await res.text();
  return {
    status: res.status,
    type: res.headers.get("content-type"),
    lines: text.split("\n").filter(Boolean).map((l) => JSON.parse(l)),
  };
}

Deno.test("the fake's chat stream has the documented shape: token lines, a tool-call line, a last line with stats in nanoseconds", async () => {
  const fake = await startFakeOllama();
  try {
    fake.replies.push({
      tokens: ["The"],
      toolCalls: [{ name: "get_weather", arguments: { city: "Tokyo" } }],
    });
    const { status, type, lines } = await chatLines(fake.url, {
      model: "llama3.2",
      messages: [{ role: "user", content: "what is the weather in tokyo?" }],
    });
    assert.equal(status, 200);
    assert.equal(type, "application/x-ndjson");
    const [token, tool, last] = lines;
    assert.deepEqual(shape(token), shape(DOC_TOKEN));
    // Ollama ≥ 0.13 adds an id to each call and an index to its function (api/types.go).
    assert.match(tool.message.tool_calls[0].id, /^call_[a-z0-9]{8}$/);
    assert.equal(tool.message.tool_calls[0].function.index, 0);
    delete tool.message.tool_calls[0].id;
    delete tool.message.tool_calls[0].function.index;
    assert.deepEqual(shape(tool), shape(DOC_TOOL_CALL));
    assert.deepEqual(shape(last), shape(DOC_LAST));
    assert.ok(Number.isInteger(last.total_duration) && Number.isInteger(last.eval_duration));
    assert.equal(lines.length, 3);
  } finally {
    await fake.close();
  }
});

Deno.test("the fake's /api/tags has the documented shape, with tags on every name", async () => {
  const fake = await startFakeOllama({ models: ["llama3.2", "qwen3:4b"] });
  try {
    const tags = await (await fetch(`${fake.url}/api/tags`)).json();
    assert.deepEqual(shape(tags), shape(DOC_TAGS));
    assert.deepEqual(tags.models.map((m: { name: string }) => m.name), [
      "llama3.2:latest",
      "qwen3:4b",
    ]);
  } finally {
    await fake.close();
  }
});

Deno.test("the fake resolves names as Ollama does and refuses others with the server's texts", async () => {
  const fake = await startFakeOllama({
    models: ["llama3.2:latest", { name: "gemma:latest", tools: false }],
  });
  const legacy = await startFakeOllama({ legacyNotFound: true });
  try {
    for (const name of ["llama3.2", "LLAMA3.2:latest", "registry.ollama.ai/library/llama3.2"]) {
      assert.equal((await chatLines(fake.url, { model: name, messages: ASK })).status, 200, name);
    }
    const missing = await fetch(`${fake.url}/api/chat`, {
      method: "POST",
      body: JSON.stringify({ model: "llama9", messages: [] }),
    });
    assert.equal(missing.status, 404);
    assert.match(missing.headers.get("content-type") ?? "", /^application\/json/);
    const body = await missing.json();
    assert.deepEqual(shape(body), shape(DOC_ERROR));
    // server/routes.go ChatHandler since 0.12: fmt.Sprintf("model '%s' not found", req.Model)
    assert.equal(body.error, "model 'llama9' not found");
    // Before 0.12, handleScheduleError: fmt.Sprintf("model %q not found, try pulling it first", name)
    const old = await chatLines(legacy.url, { model: "llama9", messages: [] });
    assert.deepEqual(old.lines, [{ error: 'model "llama9" not found, try pulling it first' }]);
    // scheduleRunner: fmt.Errorf("%s %w", model.Name, err), with the fully qualified name.
    const noTools = await chatLines(fake.url, { model: "gemma", messages: [], tools: [{}] });
    assert.equal(noTools.status, 400);
    assert.deepEqual(noTools.lines, [{
      error: "registry.ollama.ai/library/gemma:latest does not support tools",
    }]);
  } finally {
    await fake.close();
    await legacy.close();
  }
});

Deno.test("the fake answers an empty conversation as a model load, in one object", async () => {
  const fake = await startFakeOllama();
  try {
    const { lines } = await chatLines(fake.url, { model: "llama3.2", messages: [] });
    assert.equal(lines.length, 1);
    assert.equal(lines[0].done_reason, "load");
    assert.equal(lines[0].done, true);
  } finally {
    await fake.close();
  }
});

Deno.test("the fake's mid-stream error is one more line on the HTTP 200 stream, with nothing after it", async () => {
  const fake = await startFakeOllama();
  try {
    fake.replies.push({ tokens: ["Yes", "."], fault: "error-midstream" });
    const { status, lines } = await chatLines(fake.url, { model: "llama3.2", messages: ASK });
    assert.equal(status, 200);
    assert.equal(lines.length, 3);
    assert.deepEqual(shape(lines.at(-1)), shape(DOC_ERROR));
    assert.equal(lines.at(-1).error, "an error was encountered while running the model");
  } finally {
    await fake.close();
  }
});
