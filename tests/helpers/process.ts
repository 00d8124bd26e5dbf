/**
 * @module
 * Cardflow as a real process, for tests of start-up, shutdown and crashes:
 * started the way `deno task start` starts it (the `cardflow` permission
 * set), on a free port, with the URL read from its output.
 */

import { pageContext } from "./app.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

/**
 * A test of a real process: it keeps the child's streams and timers open
 * between steps, so Deno's sanitizers are off; `ignore` skips it.
 */
export function processTest(name: string, fn: () => Promise<void>, ignore = false): void {
  Deno.test({ name, ignore, sanitizeOps: false, sanitizeResources: false, fn });
}

/**
 * A `post` that sends a form as a page of the Cardflow at `url` would (htmx,
 * its origin and context, the context read once per Cardflow); the status.
 */
export function formPoster(): (
  url: string,
  path: string,
  form: Record<string, string>,
) => Promise<number> {
  const contexts = new Map<string, string>();
  return async function post(url, path, form) {
    if (!contexts.has(url)) contexts.set(url, await pageContext(url));
    const res = await fetch(url + path, {
      method: "POST",
      headers: { origin: url, "hx-request": "true", "x-cardflow-context": contexts.get(url)! },
      body: new URLSearchParams(form),
    });
    await res.body?.cancel();
    return res.status;
  };
}

/** A running Cardflow process. */
export interface CardflowProcess {
  url: string;
  /** The URL it printed to log a browser in (with `token: true`), else `url` + "/". */
  loginUrl: string;
  child: Deno.ChildProcess;
  /** Everything it printed so far. */
  output(): string;
  /** SIGTERM, then wait; resolves with the exit code. */
  stop(signal?: Deno.Signal): Promise<number>;
}

/** Options for {@linkcode spawnCardflow}. */
export interface SpawnOptions {
  args?: string[];
  env?: Record<string, string>;
  cwd?: string;
  /** The project to run (a copy made by {@linkcode copyProject}); this one by default. */
  root?: string;
  /**
   * Keep the access token on, as a plain start does, for tests of the token
   * itself. Off otherwise (`CARDFLOW_TOKEN=off`), so tests can fetch the URL.
   */
  token?: boolean;
  /** Run under this open-file limit (`ulimit -n`, POSIX shells only). */
  openFiles?: number;
  /** Flags for `deno run` after the permission set, e.g. `--allow-run=PATH`. */
  denoArgs?: string[];
}

/** The command that runs Cardflow from source. */
export function cardflowCommand(options: SpawnOptions = {}): Deno.Command {
  const root = options.root ? options.root.replace(/\/?$/, "/") : ROOT;
  const limit = options.openFiles
    ? ["-c", `ulimit -n ${options.openFiles} && exec "$0" "$@"`, Deno.execPath()]
    : [];
  return new Deno.Command(options.openFiles ? "sh" : Deno.execPath(), {
    args: [
      ...limit,
      "run",
      `--config=${root}deno.json`,
      "-P=cardflow",
      ...(options.denoArgs ?? []),
      `${root}main.ts`,
      "--log-level",
      "warn",
      ...(options.args ?? []),
    ],
    env: { NO_COLOR: "1", ...(options.token ? {} : { CARDFLOW_TOKEN: "off" }), ...options.env },
    cwd: options.cwd ?? root,
    stdout: "piped",
    stderr: "piped",
  });
}

/** Start Cardflow and wait until it prints its URL (or exits). */
export async function spawnCardflow(options: SpawnOptions = {}): Promise<CardflowProcess> {
  const child = cardflowCommand({ ...options, args: ["--port", "0", ...(options.args ?? [])] })
    .spawn();
  let text = "";
  const decoder = new TextDecoder();
  const { promise: ready, resolve, reject } = Promise.withResolvers<string>();
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream) {
      text += decoder.decode(chunk, { stream: true });
      const match = text.match(/running at (http:\/\/\S+?)\/?\n/);
      const login = text.match(/Open (http:\/\/\S+) to log this browser in/);
      if (match && (!options.token || login)) resolve(match[1]!);
    }
  };
  const done = Promise.all([pump(child.stdout), pump(child.stderr)]);
  child.status.then((s) =>
    reject(new Error(`Cardflow exited with ${s.code} before listening:\n${text}`))
  );
  const url = await ready;
  return {
    url,
    loginUrl: text.match(/Open (http:\/\/\S+) to log this browser in/)?.[1] ?? `${url}/`,
    child,
    output: () => text,
    async stop(signal: Deno.Signal = "SIGTERM") {
      try {
        child.kill(signal);
      } catch { /* already gone */ }
      const status = await child.status;
      await done;
      return status.code;
    },
  };
}

/** Run Cardflow to completion (for start-up failures); returns its exit code and output. */
export async function runCardflow(
  options: SpawnOptions = {},
): Promise<{ code: number; output: string }> {
  const result = await cardflowCommand(options).output();
  const decoder = new TextDecoder();
  return {
    code: result.code,
    output: decoder.decode(result.stdout) + decoder.decode(result.stderr),
  };
}

/** Copy the project (without .git, data, dist and bench) to `to`, for tests that edit files. */
export async function copyProject(to: string, from = ROOT.replace(/\/$/, "")): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for await (const entry of Deno.readDir(from)) {
    if ([".git", "data", "dist", "bench"].includes(entry.name)) continue;
    if (entry.isDirectory) await copyProject(`${to}/${entry.name}`, `${from}/${entry.name}`);
    else if (entry.isFile) await Deno.copyFile(`${from}/${entry.name}`, `${to}/${entry.name}`);
  }
}

/**
 * `deno task dev` running in the project copy `dir`, on a free port, answering,
 * with the access token on as in a plain start: open `loginUrl` first.
 */
export async function startDev(
  dir: string,
): Promise<{ url: string; loginUrl: string; stop(): Promise<void> }> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const supervisor = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "scripts/dev.ts", "--port", String(port), "--data-dir", `${dir}/data`],
    cwd: dir,
    stdout: "null",
    stderr: "null",
  }).spawn();
  const url = `http://localhost:${port}`;
  for (let i = 0; i < 200; i++) {
    if (
      await fetch(url + "/dev/boot").then((r) => r.body?.cancel().then(() => r.ok)).catch(() =>
        false
      )
    ) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const token = (await Deno.readTextFile(`${dir}/data/token`)).trim();
  return {
    url,
    loginUrl: `${url}/?token=${token}`,
    async stop() {
      supervisor.kill("SIGINT");
      await supervisor.status;
    },
  };
}
