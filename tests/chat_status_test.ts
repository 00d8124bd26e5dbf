import assert from "node:assert/strict";
import { testApp } from "./helpers/app.ts";
import { startFakeOllama } from "./helpers/fake_ollama.ts";

Deno.test("the status light is green for the default model when Ollama lists it with its tag, and the menu shows it once with its details", async () => {
  const fake = await startFakeOllama({
    models: [
      "llama3.2:latest",
      { name: "qwen3:4b", size: 2_500_000_000, family: "qwen3", parameterSize: "4.0B" },
    ],
  });
  const app = testApp({ config: { ollamaHost: fake.url, model: "llama3.2" } });
  try {
    const html = await (await app.request("/chat/status", { htmx: true })).text();
    assert.match(html, /light up/);
    assert.equal(html.match(/<option /g)?.length, 2, html);
    assert.match(
      html,
      /<option value="llama3.2:latest" selected>llama3.2:latest · 3.2B llama · 2.0 GB</,
    );
    assert.match(html, /<option value="qwen3:4b" ?>qwen3:4b · 4.0B qwen3 · 2.5 GB</);
  } finally {
    app.close();
    await fake.close();
  }
});

Deno.test("a model Ollama does not have makes the light yellow and stays in the menu", async () => {
  const fake = await startFakeOllama();
  const app = testApp({ config: { ollamaHost: fake.url, model: "mistral" } });
  try {
    const html = await (await app.request("/chat/status", { htmx: true })).text();
    assert.match(html, /light warn/);
    assert.match(html, /The model &quot;mistral&quot; is not pulled/);
    assert.match(html, /<option value="mistral" selected>mistral</);
  } finally {
    app.close();
    await fake.close();
  }
});
