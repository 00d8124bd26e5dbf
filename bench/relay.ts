/**
 * @module
 * The LLM relay cost: time from a token leaving the fake Ollama to it
 * arriving on a WebSocket client, through the real server (all in one
 * process, so both clocks are the same `performance.now()`).
 */

import { testConfig } from "../lib/config.ts";
import { silentLogger } from "../lib/log.ts";
import { startServer } from "../app/server.ts";
import { PLUGINS } from "../plugins/manifest.gen.ts";
import { ROUTES } from "../routes/manifest.gen.ts";
import { EMBEDDED, LAZY } from "../static/mod.ts";
import { startFakeOllama } from "../tests/helpers/fake_ollama.ts";

/** p50 and p99 relay latency in ms over `tokens` tokens. */
export async function measureRelay(tokens = 300): Promise<{ p50: number; p99: number }> {
  const fake = await startFakeOllama();
  const dataDir = await Deno.makeTempDir({ prefix: "cardflow-relay-" });
  const server = await startServer({
    config: testConfig({ dataDir, ollamaHost: fake.url }),
    log: silentLogger(),
    routes: ROUTES,
    plugins: PLUGINS,
    files: EMBEDDED,
    lazyFiles: LAZY,
  });
  // The start-up backup starts its thread a second in, and starting a thread holds this one
  // for ~12 ms: a once-per-start cost, measured apart from the relay (README, Benchmarks).
  await startupBackup(`${dataDir}/backups`);
  const arrived: number[] = [];
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws`);
  await new Promise((resolve) => (ws.onopen = resolve));
  let done = Promise.withResolvers<void>();
  ws.onmessage = (event) => {
    const frame = JSON.parse(event.data);
    if (frame.target.endsWith(" .body") && frame.swap === "beforeend") {
      arrived.push(performance.now());
    }
    if (frame.swap === "outerHTML" && /msg-assistant/.test(frame.content)) done.resolve();
  };
  const context = server.runtime.services().context.stamp();
  const ask = async (count: number) => {
    done = Promise.withResolvers<void>();
    fake.replies.push({ tokens: Array.from({ length: count }, (_, i) => ` t${i}`), delayMs: 2 });
    ws.send(JSON.stringify({ message: "relay", headers: { "X-Cardflow-Context": context } }));
    await done.promise;
  };
  // A first, unmeasured answer warms up the code paths (the JIT), as in a running Cardflow.
  await ask(tokens);
  arrived.length = 0;
  fake.sentAt.length = 0;
  await ask(tokens);
  ws.close();
  await server.shutdown();
  await fake.close();
  await Deno.remove(dataDir, { recursive: true });
  const gaps = arrived.map((t, i) => t - fake.sentAt[i]!).sort((a, b) => a - b);
  return { p50: gaps[Math.floor(gaps.length / 2)]!, p99: gaps[Math.floor(gaps.length * 0.99)]! };
}

/** Wait until the start-up backup is in `dir` (a hidden temp file does not count). */
async function startupBackup(dir: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    try {
      for (const entry of Deno.readDirSync(dir)) {
        // The copy is in place just before the worker answers and is stopped: let it finish.
        if (!entry.name.startsWith(".")) return void await new Promise((r) => setTimeout(r, 250));
      }
    } catch { /* not there yet */ }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no start-up backup in ${dir} after 5 s`);
}

// Run alone (`deno run -A bench/relay.ts`), as the bench does: a process of its own, so the
// figure is the server's and not the garbage of whatever measured before it.
if (import.meta.main) {
  const figures = await measureRelay(1000);
  Deno.stdout.writeSync(new TextEncoder().encode(JSON.stringify(figures) + "\n"));
}
