/**
 * @module
 * `deno task dev`: runs Cardflow with `--dev` under a supervisor that watches
 * the project. A saved `.ts`/`.tsx` file is parsed first; if it parses, the
 * manifests are refreshed and the server restarts on the same port while
 * open pages wait for the new boot id and reload; if not, the old server
 * keeps running and every page shows the file, line and message until the
 * next good save. A saved stylesheet is swapped in place; other static files
 * reload the pages. Events reach pages through the running server's
 * `/dev/notify`, with a token only this process knows.
 */

import { generate } from "./manifest.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const WATCHED = [
  "main.ts",
  "lib",
  "pipeline",
  "services",
  "web",
  "engines",
  "chat",
  "routes",
  "app",
  "plugins",
  "components",
  "static",
];
const IGNORED = [
  /\.swp$/,
  /~$/,
  /(^|\/)\.#/,
  /(^|\/)4913$/,
  /\/data\//,
  /\/dist\//,
  /\/\.git\//,
  /manifest\.gen\.ts$/,
];

/** What a batch of changed paths asks for. */
export type Change = { kind: "code"; files: string[]; added: boolean } | { kind: "css" } | {
  kind: "reload";
} | { kind: "none" };

/** Decide what to do about `paths` (absolute), given whether files were added or removed. */
export function classify(paths: string[], addedOrRemoved: boolean): Change {
  const relevant = paths.filter((p) => !IGNORED.some((re) => re.test(p)));
  const code = relevant.filter((p) => /\.tsx?$/.test(p));
  if (code.length) return { kind: "code", files: [...new Set(code)], added: addedOrRemoved };
  if (relevant.some((p) => p.endsWith(".css"))) return { kind: "css" };
  if (relevant.some((p) => /\/static\//.test(p))) return { kind: "reload" };
  return { kind: "none" };
}

/** A syntax error found in `files`, or undefined when they all parse. */
export async function parseError(
  files: string[],
): Promise<{ file: string; line: number; message: string } | undefined> {
  const existing = files.filter((f) => {
    try {
      return Deno.statSync(f).isFile;
    } catch {
      return false;
    }
  });
  if (existing.length === 0) return undefined;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["fmt", "--check", ...existing],
    stderr: "piped",
    stdout: "null",
    env: { NO_COLOR: "1" },
  }).output();
  const text = new TextDecoder().decode(out.stderr);
  const syntax = text.match(/SyntaxError: (.+)/);
  if (!syntax) return undefined;
  const at = text.match(/at file:\/\/(.+?):(\d+):(\d+)/);
  return {
    file: (at?.[1] ?? existing[0]!).replace(ROOT, ""),
    line: Number(at?.[2] ?? 0),
    message: syntax[1]!,
  };
}

function log(text: string): void {
  Deno.stderr.writeSync(new TextEncoder().encode(`[dev] ${text}\n`));
}

if (import.meta.main) {
  const token = crypto.randomUUID();
  const portFlag = Deno.args.indexOf("--port");
  const port = portFlag === -1
    ? Number(Deno.env.get("CARDFLOW_PORT") ?? 5001)
    : Number(Deno.args[portFlag + 1]);
  const extra = Deno.args.filter((_, i) => i !== portFlag && i !== portFlag + 1);
  let child: Deno.ChildProcess | undefined;
  let url = "";

  const start = async (): Promise<boolean> => {
    const proc = new Deno.Command(Deno.execPath(), {
      args: ["run", "-P=cardflow", "main.ts", "--dev", "--port", String(port), ...extra],
      cwd: ROOT,
      env: { CARDFLOW_DEV_TOKEN: token },
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const reader = proc.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let seen = "";
    while (true) {
      const { value, done } = await reader.read();
      if (done) {
        log(`Cardflow did not start:\n${seen}`);
        return false;
      }
      Deno.stdout.writeSync(new TextEncoder().encode(value));
      seen += value;
      const match = seen.match(/running at (http:\/\/\S+?)\/?\n/);
      if (match) {
        url = match[1]!;
        child = proc;
        (async () => {
          for (let r = await reader.read(); !r.done; r = await reader.read()) {
            Deno.stdout.writeSync(new TextEncoder().encode(r.value));
          }
        })();
        return true;
      }
    }
  };

  const notify = async (event: string, data?: unknown) => {
    if (!url) return;
    try {
      const res = await fetch(`${url}/dev/notify`, {
        method: "POST",
        headers: { "x-cardflow-dev-token": token, "content-type": "application/json" },
        body: JSON.stringify({ event, data }),
      });
      await res.body?.cancel();
    } catch { /* the server is restarting */ }
  };

  const restart = async () => {
    await notify("dev:restarting");
    if (child) {
      child.kill("SIGTERM");
      await child.status;
    }
    const started = performance.now();
    if (await start()) log(`restarted in ${Math.round(performance.now() - started)} ms`);
  };

  if (!await start()) Deno.exit(1);
  log(`watching ${WATCHED.join(", ")}`);

  let pending: string[] = [];
  let structural = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let busy = Promise.resolve();
  const watcher = Deno.watchFs(WATCHED.map((p) => ROOT + p), { recursive: true });
  Deno.addSignalListener("SIGINT", () => {
    child?.kill("SIGTERM");
    Deno.exit(0);
  });
  for await (const event of watcher) {
    pending.push(...event.paths);
    if (event.kind === "create" || event.kind === "remove" || event.kind === "rename") {
      structural = true;
    }
    clearTimeout(timer);
    timer = setTimeout(() => {
      const change = classify(pending, structural);
      pending = [];
      structural = false;
      busy = busy.then(async () => {
        if (change.kind === "css") return notify("dev:css");
        if (change.kind === "reload") return notify("dev:reload");
        if (change.kind !== "code") return;
        const error = await parseError(change.files);
        if (error) {
          log(`${error.file}:${error.line}: ${error.message} (the running server is unchanged)`);
          return notify("dev:error", error);
        }
        if (change.added) {
          const { routes, plugins } = await generate(ROOT.replace(/\/$/, ""));
          await Deno.writeTextFile(`${ROOT}routes/manifest.gen.ts`, routes);
          await Deno.writeTextFile(`${ROOT}plugins/manifest.gen.ts`, plugins);
        }
        await restart();
      }).catch((error) => log(`failed: ${error}`));
    }, 80);
  }
}
