/**
 * @module
 * `deno task bench [--seconds N] [--no-dev]`: Cardflow's figures on this
 * machine beside two ceilings measured in the same run: a bare `Deno.serve`
 * answering 12 bytes, and the same bare server answering as many bytes as
 * Cardflow's home page (what serving that page could cost at best). Load
 * comes from `wrk` with one thread when it is installed (a generator in JS
 * competes with the server for our two cores), else from a Deno fallback.
 * Loopback only, bounded in time. Prints a table and writes it as JSON to
 * `bench/results/latest.json`.
 *
 * Scenarios: home page; a workflow run page and a completed step with 10
 * steps done; sequential step submits; task insert and toggle; with 10,000
 * tasks, the list page, search as you type and a bulk toggle of 1,000; start-up to
 * the first 200; resident memory after start and with 100,000 runs and
 * 10,000 tasks in the database (and the page and submit figures again
 * there); LLM token relay from the fake Ollama to a WebSocket client; the
 * live heap over 10 cycles of 1,000 WebSockets; and the dev loop's
 * save-to-reload times. The targets the README names are checked: a missed
 * one fails the run.
 */

import { DatabaseSync } from "node:sqlite";
import { type LoadResult, measure } from "../bench/load.ts";
import { measureDevReload } from "../bench/dev_reload.ts";
import { populate } from "../bench/populate.ts";
import { checkTargets, type Row, writeReport } from "../bench/report.ts";
import type { SocketFigures } from "../bench/sockets.ts";

const arg = (name: string) => Deno.args[Deno.args.indexOf(name) + 1];
const seconds = Deno.args.includes("--seconds") ? Number(arg("--seconds")) || 3 : 3;
const ROOT = new URL("../", import.meta.url).pathname;

const tokens = new Map<string, string>();

/** The access token of the Cardflow at `url`, as the header a logged-in client sends. */
function auth(url: string): Record<string, string> {
  return { authorization: `Bearer ${tokens.get(url) ?? ""}` };
}

interface Proc {
  url: string;
  child: Deno.ChildProcess;
  startupMs: number;
}

async function spawnApp(dataDir: string): Promise<Proc> {
  const started = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-P=cardflow",
      "main.ts",
      "--port",
      "0",
      "--data-dir",
      dataDir,
      "--log-level",
      "warn",
    ],
    cwd: ROOT,
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  while (!/running at/.test(seen)) {
    const { value, done } = await reader.read();
    if (done) throw new Error("Cardflow exited before listening");
    seen += value;
  }
  const url = seen.match(/running at (http:\/\/\S+?)\/?\n/)![1]!.replace("localhost", "127.0.0.1");
  // The access token is on, as in a plain start: every request carries it, as a browser's would.
  while (!/to log this browser in/.test(seen)) {
    const { value, done } = await reader.read();
    if (done) throw new Error("Cardflow printed no login URL");
    seen += value;
  }
  tokens.set(url, seen.match(/\?token=([A-Za-z0-9_-]+)/)![1]!);
  while (
    (await fetch(url + "/", { headers: auth(url) }).then((r) =>
      r.body?.cancel().then(() => r.status)
    ).catch(() => 0)) !==
      200
  ) { /* retry */ }
  const startupMs = performance.now() - started;
  (async () => {
    while (!(await reader.read()).done) { /* drain */ }
  })();
  return { url, child, startupMs };
}

async function stop(child: Deno.ChildProcess): Promise<void> {
  child.kill("SIGTERM");
  await child.status;
}

function rssMb(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  return Number(status.match(/VmRSS:\s+(\d+)/)?.[1] ?? 0) / 1024;
}

const contexts = new Map<string, string>();

/** The headers a page of the Cardflow at `url` sends with a write, its context included. */
function form(url: string): Record<string, string> {
  return {
    ...auth(url),
    origin: url,
    "content-type": "application/x-www-form-urlencoded",
    "hx-request": "true",
    "x-cardflow-context": contexts.get(url) ?? "",
  };
}

/** Read the context a fresh page of `url` carries. */
async function learnContext(url: string): Promise<void> {
  const page = await (await fetch(url + "/", { headers: auth(url) })).text();
  contexts.set(url, page.match(/data-context="([^"]+)"/)?.[1] ?? "");
}

async function post(url: string, path: string, body: Record<string, string>): Promise<Response> {
  const res = await fetch(url + path, {
    method: "POST",
    headers: form(url),
    body: new URLSearchParams(body),
  });
  await res.body?.cancel();
  return res;
}

/** Ten completed Showcase steps (everything but the upload and the long job). */
async function seedRun(url: string, key: string): Promise<void> {
  await post(url, "/showcase/start", { key });
  const steps: [string, Record<string, string>][] = [
    ["title", { title: "Benchmark" }],
    ["notes", { notes: "# Notes\n\n- **one**\n- two" }],
    ["count", { count: "12" }],
    ["colour", { colour: "green" }],
    ["urgent", { urgent: "on" }],
    ["due", { due: "2026-12-24" }],
    ["summary", { summary: "A summary" }],
    ["table", { items: "a, 1\nb, 2\nc, 3" }],
    ["code", { code: "const answer: number = 42;" }],
  ];
  let version = 1;
  for (const [id, values] of steps) {
    const res = await post(url, `/showcase/run/${key}/step/${id}`, {
      version: String(version++),
      ...values,
    });
    if (res.status !== 200) throw new Error(`seeding ${id}: ${res.status}`);
  }
  const upload = new FormData();
  upload.append("version", String(version));
  upload.append("file", new File(["bench"], "bench.txt"));
  const res = await fetch(`${url}/showcase/run/${key}/step/upload`, {
    method: "POST",
    headers: { ...auth(url), origin: url, "x-cardflow-context": contexts.get(url) ?? "" },
    body: upload,
  });
  await res.body?.cancel();
}

/** Sequential submits of Hello's first step, tracking the version. */
async function submits(url: string, key: string, count: number): Promise<LoadResult> {
  await post(url, "/hello/start", { key });
  return await sequential(url, [`/hello/run/${key}/step/step_01`], count, (i) => ({
    method: "POST",
    headers: form(url),
    body: new URLSearchParams({ version: String(i + 1), name: `n${i + 1}` }),
  }));
}

/** Sequential GETs of `paths` (as htmx sends them), round-robin, timing each. */
async function sequential(
  url: string,
  paths: string[],
  count: number,
  init: (i: number) => RequestInit = () => ({ headers: { ...auth(url), "hx-request": "true" } }),
): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    const res = await fetch(url + paths[i % paths.length]!, init(i));
    await res.arrayBuffer();
    latencies.push(performance.now() - t0);
    if (res.status !== 200) errors++;
  }
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.floor(q * (latencies.length - 1))]!;
  return {
    rps: count / elapsed,
    p50: at(0.5),
    p99: at(0.99),
    requests: count,
    errors,
    tool: "deno",
  };
}

/** The list figures with 10,000 tasks: the page, search as you type, a bulk toggle of 1,000. */
async function listFigures(url: string): Promise<void> {
  add(
    "tasks list page, 10k tasks (first 100 drawn)",
    await measure(url + "/tasks", { seconds, headers: auth(url) }),
  );
  // What a person types, one keystroke at a time (each a request, as the debounce lets through).
  const typed = ["r", "re", "rep", "repo", "report", "report 7", "dog", "kitchen b", "task 123"];
  add(
    "search as you type, 10k tasks, sequential",
    await sequential(url, typed.map((q) => `/tasks/list?q=${encodeURIComponent(q)}`), 450),
  );
  add(
    "search + filter + order, 10k tasks, sequential",
    await sequential(
      url,
      ["/tasks/list?q=book&priority=high&sort=-name", "/tasks/list?done=no&sort=name"],
      200,
    ),
  );
  const db = new DatabaseSync(`${dataDir}/cardflow-dev.db`);
  const ids = (db.prepare("SELECT id FROM tasks ORDER BY position LIMIT 1000").all() as {
    id: number;
  }[]).map((r) => String(r.id));
  db.close();
  const body = (i: number) => {
    const form = new URLSearchParams({ change: i % 2 ? "off" : "on", query: "" });
    for (const id of ids) form.append("ids", id);
    return form;
  };
  add(
    "bulk toggle of 1,000 tasks (10k in the table), sequential",
    await sequential(url, ["/tasks/bulk"], 30, (i) => ({
      method: "POST",
      headers: form(url),
      body: body(i),
    })),
  );
}

const rows: Row[] = [];
const extra: Record<string, number> = {};
const add = (name: string, result: LoadResult) => {
  rows.push({ name, result });
  Deno.stderr.writeSync(new TextEncoder().encode(`  ${name}: ${result.rps.toFixed(0)} req/s\n`));
};

const dataDir = await Deno.makeTempDir({ prefix: "cardflow-bench-" });
let app = await spawnApp(dataDir);
extra["start-up to first 200 (ms)"] = app.startupMs;
extra["resident memory after start (MB)"] = rssMb(app.child.pid);
await learnContext(app.url);
const homeBytes = (await (await fetch(app.url + "/", { headers: auth(app.url) })).arrayBuffer())
  .byteLength;
extra["home page size (bytes)"] = homeBytes;

// The ceilings, measured while Cardflow idles so both see the same machine.
const bare = new Deno.Command(Deno.execPath(), {
  args: ["run", "--allow-net", "bench/bare_server.ts"],
  cwd: ROOT,
  stdout: "piped",
}).spawn();
const barePort =
  (await bare.stdout.pipeThrough(new TextDecoderStream()).getReader().read()).value!.match(
    /listening (\d+)/,
  )![1];
add(
  "bare Deno.serve, 12 bytes (ceiling)",
  await measure(`http://127.0.0.1:${barePort}/`, { seconds }),
);
add(
  `bare Deno.serve, ${homeBytes} bytes (same-bytes ceiling)`,
  await measure(`http://127.0.0.1:${barePort}/bytes/${homeBytes}`, { seconds }),
);
await stop(bare);

await seedRun(app.url, "bench");
// A person who has used the workflow: 30 runs under the keys it suggests, so the run page's
// offered key ("Run again") is measured past the first free number.
for (let i = 1; i <= 30; i++) {
  await post(app.url, "/showcase/start", { key: `default-showcase-${String(i).padStart(2, "0")}` });
}
async function pageFigures(label: string): Promise<void> {
  const headers = auth(app.url);
  add(`home page${label}`, await measure(app.url + "/", { seconds, headers }));
  add(
    `workflow run page, 10 steps done${label}`,
    await measure(app.url + "/showcase/run/bench", { seconds, headers }),
  );
  add(
    `completed step card${label}`,
    await measure(app.url + "/showcase/run/bench/step/code", {
      seconds,
      headers: { ...headers, "hx-request": "true" },
    }),
  );
  add(
    `step submit, sequential${label}`,
    await submits(app.url, `submit${label ? "-big" : ""}`, 300),
  );
}

await pageFigures("");
add(
  "task insert",
  await measure(app.url + "/tasks", {
    seconds,
    method: "POST",
    body: "name=bench",
    headers: form(app.url),
  }),
);
const firstTask = new DatabaseSync(`${dataDir}/cardflow-dev.db`).prepare(
  "SELECT MIN(id) AS id FROM tasks",
).get() as { id: number };
add(
  "task toggle",
  await measure(`${app.url}/tasks/${firstTask.id}/toggle`, {
    seconds,
    method: "POST",
    body: "",
    headers: form(app.url),
  }),
);
await stop(app.child);

populate(dataDir, 100_000, 10_000);
app = await spawnApp(dataDir);
await learnContext(app.url);
extra["start-up with 100,000 runs and 10,000 tasks (ms)"] = app.startupMs;
extra["resident memory with 100,000 runs (MB)"] = rssMb(app.child.pid);
await pageFigures(" (100k runs, 10k tasks)");
await listFigures(app.url);
await stop(app.child);
await Deno.remove(dataDir, { recursive: true });

/** Run `script` alone (its figures are its own process's, not this one's) and read its JSON. */
async function alone<T>(script: string, flags: string[] = []): Promise<T> {
  const run = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", ...flags, script],
    cwd: ROOT,
    stdout: "piped",
    stderr: "inherit",
  }).output();
  return JSON.parse(new TextDecoder().decode(run.stdout)) as T;
}

const relay = await alone<{ p50: number; p99: number }>("bench/relay.ts");
extra["LLM token relay p50 (ms)"] = relay.p50;
extra["LLM token relay p99 (ms)"] = relay.p99;

const sockets = await alone<SocketFigures>("bench/sockets.ts", ["--v8-flags=--expose-gc"]);
extra["live heap growth, 10 cycles of 1,000 WebSockets (MB)"] = sockets.lastMb - sockets.firstMb;
extra["resident memory after those cycles (MB)"] = sockets.rssMb;

if (!Deno.args.includes("--no-dev")) {
  try {
    const dev = await measureDevReload();
    extra["dev: code save to reload (ms)"] = dev.codeMs;
    extra["dev: CSS save to new style (ms)"] = dev.cssMs;
  } catch (error) {
    Deno.stderr.writeSync(
      new TextEncoder().encode(`dev reload not measured: ${(error as Error).message}\n`),
    );
  }
}

const checked = checkTargets(rows, extra);
const why = await writeReport({
  rows,
  extra,
  checked,
  seconds,
  path: `${ROOT}bench/results/latest.json`,
});
if (why) {
  Deno.stderr.writeSync(new TextEncoder().encode(why + "\n"));
  Deno.exit(1);
}
