/**
 * @module
 * `deno task bench`: starts a bare `Deno.serve` (the ceiling) and Cardflow as
 * separate processes on loopback, loads each with the same generator, prints
 * a table with each figure as a ratio to the ceiling, and writes it as JSON
 * to `bench/results/latest.json`. `--seconds N` sets each run's length.
 */

import { type LoadResult, measure } from "../bench/load.ts";

const seconds = Number(Deno.args[Deno.args.indexOf("--seconds") + 1] || 5) || 5;

interface Proc {
  url: string;
  child: Deno.ChildProcess;
  dataDir?: string;
}

async function spawn(args: string[], pattern: RegExp, dataDir?: string): Promise<Proc> {
  const child = new Deno.Command(Deno.execPath(), { args, stdout: "piped", stderr: "inherit" })
    .spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  while (true) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`server exited before listening: ${seen}`);
    seen += value;
    const match = seen.match(pattern);
    if (match) {
      // Keep draining so the child never blocks on a full pipe.
      (async () => {
        while (!(await reader.read()).done) { /* drain */ }
      })();
      return { url: match[1]!, child, dataDir };
    }
  }
}

async function stop(proc: Proc): Promise<void> {
  proc.child.kill("SIGTERM");
  await proc.child.status;
  if (proc.dataDir) await Deno.remove(proc.dataDir, { recursive: true }).catch(() => {});
}

const rows: { name: string; result: LoadResult }[] = [];
const bare = await spawn(["run", "--allow-net", "bench/bare_server.ts"], /listening (\d+)/);
const bareUrl = `http://127.0.0.1:${bare.url}`;
const dataDir = await Deno.makeTempDir({ prefix: "cardflow-bench-" });
const app = await spawn(
  ["run", "-A", "main.ts", "--port", "0", "--data-dir", dataDir, "--log-level", "warn"],
  /running at (http:\/\/\S+?)\/?\n/,
  dataDir,
);
try {
  rows.push({
    name: "bare Deno.serve hello world (ceiling)",
    result: await measure(bareUrl + "/", { seconds }),
  });
  rows.push({ name: "Cardflow home page", result: await measure(app.url + "/", { seconds }) });
} finally {
  await stop(bare);
  await stop(app);
}

const ceiling = rows[0]!.result.rps;
const pad = (s: string, n: number) => s.padEnd(n);
const lines = [
  `${pad("scenario", 42)} ${pad("req/s", 10)} ${pad("p50 ms", 8)} ${pad("p99 ms", 8)} ${
    pad("ratio", 7)
  } errors`,
  ...rows.map(({ name, result: r }) =>
    `${pad(name, 42)} ${pad(r.rps.toFixed(0), 10)} ${pad(r.p50.toFixed(2), 8)} ${
      pad(r.p99.toFixed(2), 8)
    } ${pad((r.rps / ceiling).toFixed(2), 7)} ${r.errors}`
  ),
];
const tool = rows[0]!.result.tool;
const text =
  `Cardflow benchmark (${tool}, 10 connections, ${seconds}s each, loopback)\n${
    lines.join("\n")
  }\n` +
  `home page / ceiling = ${
    (rows[1]!.result.rps / ceiling * 100).toFixed(1)
  }% (target at least 25%)\n`;
Deno.stdout.writeSync(new TextEncoder().encode(text));
await Deno.mkdir("bench/results", { recursive: true });
await Deno.writeTextFile(
  "bench/results/latest.json",
  JSON.stringify(
    {
      date: new Date().toISOString(),
      tool,
      seconds,
      rows: rows.map((r) => ({ ...r, ratio: r.result.rps / ceiling })),
    },
    null,
    2,
  ) + "\n",
);
