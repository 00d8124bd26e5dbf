/**
 * @module
 * Load generation for the benchmarks: `wrk` when installed, otherwise a
 * closed-loop generator in Deno with the same shape (N connections, fixed
 * duration). Loopback only, bounded in time.
 */

/** One measured figure. */
export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  errors: number;
  tool: "wrk" | "deno";
}

/** Options for {@linkcode measure}. */
export interface LoadOptions {
  connections?: number;
  seconds?: number;
  method?: string;
  body?: string;
  headers?: Record<string, string>;
}

function hasWrk(): boolean {
  try {
    return Deno.statSync("/usr/bin/wrk").isFile;
  } catch {
    return false;
  }
}

function ms(value: string, unit: string): number {
  const n = Number(value);
  return unit === "us" ? n / 1000 : unit === "s" ? n * 1000 : n;
}

async function withWrk(
  url: string,
  o: Required<Pick<LoadOptions, "connections" | "seconds">> & LoadOptions,
): Promise<LoadResult> {
  // One wrk thread: on two cores the other one is the server's.
  const args = ["-t", "1", "-c", String(o.connections), "-d", `${o.seconds}s`, "--latency"];
  let script: string | undefined;
  if (o.method && o.method !== "GET" || o.body || o.headers) {
    script = await Deno.makeTempFile({ suffix: ".lua" });
    const headers = Object.entries(o.headers ?? {}).map(([k, v]) =>
      `wrk.headers[${JSON.stringify(k)}] = ${JSON.stringify(v)}`
    ).join("\n");
    await Deno.writeTextFile(
      script,
      `wrk.method = ${JSON.stringify(o.method ?? "GET")}\n${
        o.body ? `wrk.body = ${JSON.stringify(o.body)}\n` : ""
      }${headers}\n`,
    );
    args.push("-s", script);
  }
  const out = await new Deno.Command("wrk", {
    args: [...args, url],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (script) await Deno.remove(script);
  const text = new TextDecoder().decode(out.stdout);
  const rps = Number(text.match(/Requests\/sec:\s+([\d.]+)/)?.[1] ?? 0);
  const lat = (p: string) => {
    const m = text.match(new RegExp(`\\s${p}%\\s+([\\d.]+)(us|ms|s)`));
    return m ? ms(m[1]!, m[2]!) : NaN;
  };
  const requests = Number(text.match(/(\d+) requests in/)?.[1] ?? 0);
  const non2xx = Number(text.match(/Non-2xx or 3xx responses: (\d+)/)?.[1] ?? 0);
  const socket = text.match(/Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/);
  const errors = non2xx + (socket ? socket.slice(1).reduce((a, b) => a + Number(b), 0) : 0);
  return { rps, p50: lat("50"), p99: lat("99"), requests, errors, tool: "wrk" };
}

async function withDeno(
  url: string,
  o: Required<Pick<LoadOptions, "connections" | "seconds">> & LoadOptions,
): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  const end = performance.now() + o.seconds * 1000;
  async function worker() {
    while (performance.now() < end) {
      const start = performance.now();
      try {
        const res = await fetch(url, {
          method: o.method ?? "GET",
          body: o.body,
          headers: o.headers,
        });
        await res.arrayBuffer();
        if (res.status >= 400) errors++;
      } catch {
        errors++;
      }
      latencies.push(performance.now() - start);
    }
  }
  const started = performance.now();
  await Promise.all(Array.from({ length: o.connections }, worker));
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  return {
    rps: latencies.length / elapsed,
    p50: at(0.5),
    p99: at(0.99),
    requests: latencies.length,
    errors,
    tool: "deno",
  };
}

/** Load `url` for a fixed time and report throughput and latency. */
export function measure(url: string, options: LoadOptions = {}): Promise<LoadResult> {
  const o = { connections: 10, seconds: 5, ...options };
  return hasWrk() ? withWrk(url, o) : withDeno(url, o);
}
