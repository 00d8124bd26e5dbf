import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { compileArgs, outputFor } from "../scripts/compile.ts";
import { pageContext } from "./helpers/app.ts";
import { BAD_CANDIDATES, cardflowDatabase } from "./helpers/candidates.ts";
import { copyProject, runCardflow, spawnCardflow, type SpawnOptions } from "./helpers/process.ts";

const t = (name: string, fn: () => Promise<void>, ignore = false) =>
  Deno.test({ name, ignore, sanitizeOps: false, sanitizeResources: false, fn });

const contexts = new Map<string, string>();

/** POST a form as a page of the Cardflow at `url` would, context included. */
async function post(url: string, path: string, form: Record<string, string>): Promise<number> {
  if (!contexts.has(url)) contexts.set(url, await pageContext(url));
  const res = await fetch(url + path, {
    method: "POST",
    headers: { origin: url, "hx-request": "true", "x-cardflow-context": contexts.get(url)! },
    body: new URLSearchParams(form),
  });
  await res.body?.cancel();
  return res.status;
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

t(
  "the data folder is ./data from source, STATE_DIRECTORY under systemd, and --data-dir when given",
  async () => {
    const cwd = await Deno.makeTempDir({ prefix: "cardflow-cwd-" });
    const state = await Deno.makeTempDir({ prefix: "cardflow-state-" });
    const flag = await Deno.makeTempDir({ prefix: "cardflow-flag-" });
    try {
      const cases: [SpawnOptions, string][] = [
        [{ cwd }, `${cwd}/data`],
        [{ cwd, env: { STATE_DIRECTORY: state } }, state],
        [{ cwd, env: { STATE_DIRECTORY: state }, args: ["--data-dir", flag] }, flag],
      ];
      for (const [options, dir] of cases) {
        const args = [...(options.args ?? []), "--log-level", "info"];
        const app = await spawnCardflow({ ...options, args });
        assert.equal((await fetch(app.url + "/")).status, 200);
        assert.equal(await app.stop(), 0);
        assert.ok(exists(`${dir}/cardflow-dev.db`), `database in ${dir}`);
        assert.ok(exists(`${dir}/logs/cardflow.log`), `log in ${dir}`);
        assert.match(
          Deno.readTextFileSync(`${dir}/logs/cardflow.log`),
          new RegExp(`writes its database and logs in ${dir}`),
        );
      }
    } finally {
      for (const d of [cwd, state, flag]) await Deno.remove(d, { recursive: true });
    }
  },
);

async function writeLoop(
  url: string,
  stopAfter: () => boolean,
): Promise<{ tasks: string[]; runs: string[] }> {
  const acked = { tasks: [] as string[], runs: [] as string[] };
  for (let i = 0; !stopAfter(); i++) {
    try {
      const name = `task-${i}`;
      if (await post(url, "/tasks", { name }) === 200) acked.tasks.push(name);
      const key = `run-${i}`;
      if (
        await post(url, "/hello/start", { key }) === 200 &&
        await post(url, `/hello/run/${key}/step/step_01`, { version: "1", name: `n${i}` }) === 200
      ) {
        acked.runs.push(key);
      }
    } catch {
      break; // the server is gone
    }
  }
  return acked;
}

function check(dataDir: string, acked: { tasks: string[]; runs: string[] }): void {
  const db = new DatabaseSync(`${dataDir}/cardflow-dev.db`);
  try {
    assert.equal(
      (db.prepare("PRAGMA integrity_check").get() as { integrity_check: string }).integrity_check,
      "ok",
    );
    const tasks = new Set(
      (db.prepare("SELECT name FROM tasks").all() as { name: string }[]).map((r) => r.name),
    );
    for (const name of acked.tasks) assert.ok(tasks.has(name), `acknowledged ${name} is missing`);
    for (const key of acked.runs) {
      const row = db.prepare("SELECT state FROM pipeline WHERE key = ?").get(key) as {
        state: string;
      } | undefined;
      assert.ok(row, `acknowledged run ${key} is missing`);
      assert.ok(JSON.parse(row.state).steps.step_01, `acknowledged submit of ${key} is missing`);
    }
  } finally {
    db.close();
  }
}

for (const signal of ["SIGTERM", "SIGKILL"] as const) {
  t(
    `${signal} during a stream of writes loses nothing that was acknowledged and leaves a sound database`,
    async () => {
      const dataDir = await Deno.makeTempDir({ prefix: "cardflow-crash-" });
      try {
        const app = await spawnCardflow({ args: ["--data-dir", dataDir] });
        let stop = false;
        const loop = writeLoop(app.url, () => stop);
        await new Promise((r) => setTimeout(r, 1500));
        const code = await app.stop(signal);
        stop = true;
        const acked = await loop;
        assert.ok(acked.tasks.length > 5, `only ${acked.tasks.length} writes were acknowledged`);
        if (signal === "SIGTERM") assert.equal(code, 0, "a clean exit on SIGTERM");
        check(dataDir, acked);
        // And it starts again on the same data, its search index in step with the table.
        const again = await spawnCardflow({ args: ["--data-dir", dataDir] });
        const last = acked.tasks.at(-1)!;
        assert.match(
          await (await fetch(`${again.url}/tasks?q=${encodeURIComponent(last)}`)).text(),
          new RegExp(`>${last}<`),
        );
        await again.stop();
      } finally {
        await Deno.remove(dataDir, { recursive: true });
      }
    },
  );
}

t(
  "an unusable data folder or a taken port stops start-up with a clear message and exit code",
  async () => {
    const dir = await Deno.makeTempDir();
    try {
      await Deno.writeTextFile(`${dir}/file`, "not a folder");
      const blocked = await runCardflow({
        args: ["--data-dir", `${dir}/file/data`, "--port", "0"],
      });
      assert.equal(blocked.code, 4, blocked.output);
      assert.match(blocked.output, /cardflow: cannot (write to|use) the data folder .*file\/data/);
      assert.doesNotMatch(blocked.output, /^\s+at /m, "no stack trace");
      const app = await spawnCardflow({ args: ["--data-dir", dir] });
      const port = new URL(app.url).port;
      const taken = await runCardflow({ args: ["--data-dir", dir, "--port", port] });
      await app.stop();
      assert.equal(taken.code, 5, taken.output);
      assert.match(taken.output, new RegExp(`port ${port} is in use`));
      const bad = await runCardflow({ args: ["--port", "nope"] });
      assert.equal(bad.code, 2);
      assert.match(bad.output, /--port must be a whole number/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);

t(
  "a plugin whose change would lose data stops start-up with exit 3, the file named, no stack trace",
  async () => {
    const dir = await Deno.makeTempDir({ prefix: "cardflow-retype-" });
    try {
      await copyProject(`${dir}/project`);
      const plugin = `${dir}/project/plugins/060_tasks.tsx`;
      const source = await Deno.readTextFile(plugin);
      await Deno.writeTextFile(
        plugin,
        source.replace(
          '{ name: "done", type: "bool"',
          '{ name: "done", type: "text", required: false',
        )
          .replace('toggle: "done",', ""),
      );
      await Deno.mkdir(`${dir}/data`);
      await Deno.copyFile(
        new URL("./fixtures/v0.1/cardflow-dev.db", import.meta.url).pathname,
        `${dir}/data/cardflow-dev.db`,
      );
      const run = await runCardflow({
        root: `${dir}/project`,
        args: ["--port", "0", "--data-dir", `${dir}/data`],
      });
      assert.equal(run.code, 3, run.output);
      assert.match(run.output, /cardflow: plugins\/060_tasks\.tsx: the field "done" was stored as/);
      assert.match(run.output, /needs a migration/);
      assert.doesNotMatch(run.output, /^\s+at /m, "no stack trace");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);

async function sha256(path: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", await Deno.readFile(path));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

t(
  "--restore of a foreign, broken or unstartable file exits 6 with one clear line and the next plain start serves the previous data",
  async () => {
    const dir = await Deno.makeTempDir({ prefix: "cardflow-restore-" });
    try {
      await cardflowDatabase(`${dir}/cardflow-dev.db`, "previous");
      const before = await sha256(`${dir}/cardflow-dev.db`);
      const picked = BAD_CANDIDATES.filter((c) => /foreign|not SQLite|cannot start/.test(c.name));
      for (const candidate of picked) {
        await candidate.make(`${dir}/offered-${picked.indexOf(candidate)}.db`);
        const run = await runCardflow({
          args: [
            "--data-dir",
            dir,
            "--port",
            "0",
            "--restore",
            `${dir}/offered-${picked.indexOf(candidate)}.db`,
          ],
        });
        assert.equal(run.code, 6, run.output);
        assert.match(run.output, /^cardflow: Nothing was restored: /m);
        assert.match(run.output, candidate.problem);
        assert.doesNotMatch(run.output, /^\s+at /m, "no stack trace");
        assert.doesNotMatch(run.output, /error: Uncaught/);
        assert.equal(await sha256(`${dir}/cardflow-dev.db`), before, candidate.name);
      }
      const app = await spawnCardflow({ args: ["--data-dir", dir] });
      try {
        assert.match(await (await fetch(app.url + "/tasks")).text(), /task of previous/);
      } finally {
        await app.stop();
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);

t(
  "starting on a database file that is not a sound database exits 6 with a clear message and writes nothing to it",
  async () => {
    const dir = await Deno.makeTempDir({ prefix: "cardflow-corrupt-start-" });
    try {
      for (
        const candidate of BAD_CANDIDATES.filter((c) => /not SQLite|corrupt|trunc/.test(c.name))
      ) {
        const path = `${dir}/cardflow-dev.db`;
        await candidate.make(path);
        const before = await sha256(path);
        const files = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
        const run = await runCardflow({ args: ["--data-dir", dir, "--port", "0"] });
        assert.equal(run.code, 6, `${candidate.name}: ${run.output}`);
        assert.match(
          run.output,
          /^cardflow: Cannot open the development database .*cardflow-dev\.db: .*Nothing was written to it/m,
        );
        assert.match(run.output, candidate.problem);
        assert.doesNotMatch(run.output, /^\s+at /m, "no stack trace");
        assert.equal(await sha256(path), before, `${candidate.name}: not a byte changed`);
        const after = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
        assert.deepEqual(after.filter((n) => n.startsWith("cardflow-dev")), ["cardflow-dev.db"]);
        assert.ok(files.every((f) => after.includes(f)));
        await Deno.remove(path);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);

/** Every entry under `dir` whose mode lets anyone but the owner in, with that mode. */
function opened(dir: string): string[] {
  const found: string[] = [];
  for (const entry of Deno.readDirSync(dir)) {
    const path = `${dir}/${entry.name}`;
    const mode = Deno.statSync(path).mode! & 0o777;
    const wanted = entry.isDirectory ? 0o700 : 0o600;
    if (mode !== wanted) found.push(`${path} ${mode.toString(8)}`);
    if (entry.isDirectory) found.push(...opened(path));
  }
  return found;
}

t(
  "every file Cardflow writes is owner-only (0600) in owner-only folders (0700), and older files are tightened",
  async () => {
    const base = await Deno.makeTempDir({ prefix: "cardflow-modes-" });
    const dir = `${base}/data`;
    try {
      const app = await spawnCardflow({ args: ["--data-dir", dir], token: true });
      const auth = { authorization: `Bearer ${Deno.readTextFileSync(`${dir}/token`).trim()}` };
      const context = (await (await fetch(`${app.url}/`, { headers: auth })).text())
        .match(/data-context="([^"]+)"/)![1]!;
      const send = async (path: string, body: BodyInit) => {
        const res = await fetch(app.url + path, {
          method: "POST",
          headers: {
            ...auth,
            origin: app.url,
            "hx-request": "true",
            "x-cardflow-context": context,
          },
          body,
        });
        last = await res.text();
        return res.status;
      };
      let last = "";
      assert.equal(await send("/tasks", new URLSearchParams({ name: "private" })), 200);
      assert.equal(await send("/showcase/start", new URLSearchParams({ key: "modes" })), 200);
      const steps: Record<string, string>[] = [
        { title: "Modes" },
        { notes: "notes" },
        { count: "1" },
        { colour: "green" },
        { urgent: "on" },
        { due: "2026-12-24" },
        { summary: "a summary" },
        { items: "a, 1" },
        { code: "const x = 1;" },
      ];
      const ids = [
        "title",
        "notes",
        "count",
        "colour",
        "urgent",
        "due",
        "summary",
        "table",
        "code",
      ];
      for (const [i, values] of steps.entries()) {
        const form = new URLSearchParams({ version: String(i + 1), ...values });
        assert.equal(
          await send(`/showcase/run/modes/step/${ids[i]}`, form),
          200,
          `${ids[i]}: ${last}`,
        );
      }
      const upload = new FormData();
      upload.append("version", "10");
      upload.append("file", new File(["secret"], "secret.txt"));
      assert.equal(await send("/showcase/run/modes/step/upload", upload), 200);
      assert.equal(await send("/backups", new URLSearchParams()), 200);
      // While it runs, the -wal and -shm are there too.
      assert.ok(exists(`${dir}/cardflow-dev.db-wal`) && exists(`${dir}/cardflow-dev.db-shm`));
      assert.deepEqual(opened(dir), []);
      assert.deepEqual(opened(base).filter((p) => !p.startsWith(dir)), []);
      await app.stop();

      // An install from before: world-readable files become owner-only at the next start.
      for (const file of ["cardflow-dev.db", "logs/cardflow.log", "token"]) {
        Deno.chmodSync(`${dir}/${file}`, 0o644);
      }
      const again = await spawnCardflow({ args: ["--data-dir", dir], token: true });
      await again.stop();
      assert.deepEqual(opened(dir), []);
    } finally {
      await Deno.remove(base, { recursive: true });
    }
  },
);

t("--help and --version print and exit 0", async () => {
  const help = await runCardflow({ args: ["--help"] });
  assert.equal(help.code, 0);
  assert.match(help.output, /--data-dir DIR/);
  assert.match((await runCardflow({ args: ["--version"] })).output, /^cardflow \d/);
});

t("the compile task builds with the start task's permission set for each target", () => {
  assert.deepEqual(compileArgs({ output: "dist/cardflow" }).slice(0, 2), [
    "compile",
    "-P=cardflow",
  ]);
  assert.ok(
    compileArgs({ output: "x" }).join(" ").includes("--include lib/backup_worker.ts"),
    "the backup worker is embedded",
  );
  assert.deepEqual(compileArgs({ target: "linux-arm64", output: "x" }).slice(-3), [
    "--target",
    "aarch64-unknown-linux-gnu",
    "main.ts",
  ]);
  assert.equal(outputFor("windows-x64"), "dist/cardflow-windows-x64.exe");
  const start = JSON.parse(Deno.readTextFileSync("deno.json")).tasks.start.command as string;
  assert.match(start, /-P=cardflow/);
  return Promise.resolve();
});

const denort = Deno.env.get("DENORT_BIN");
t(
  denort
    ? "the compiled binary serves, submits a workflow, and keeps its data beside itself"
    : "the compiled binary serves, submits a workflow, and keeps its data beside itself (skipped: no denort base binary; set DENORT_BIN)",
  async () => {
    const dir = await Deno.makeTempDir({ prefix: "cardflow-bin-" });
    try {
      const build = await new Deno.Command(Deno.execPath(), {
        args: compileArgs({ output: `${dir}/cardflow` }),
        env: { DENORT_BIN: denort! },
        stderr: "piped",
      }).output();
      assert.ok(build.success, new TextDecoder().decode(build.stderr));
      const child = new Deno.Command(`${dir}/cardflow`, {
        args: ["--port", "0"],
        cwd: "/",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
      let seen = "";
      while (!/running at/.test(seen)) seen += (await reader.read()).value ?? "";
      const url = seen.match(/running at (http:\/\/\S+?)\/?\n/)![1]!;
      assert.equal((await fetch(url + "/")).status, 200);
      assert.equal(await post(url, "/hello/start", { key: "compiled" }), 200);
      assert.equal(
        await post(url, "/hello/run/compiled/step/step_01", { version: "1", name: "Ada" }),
        200,
      );
      child.kill("SIGTERM");
      await child.status;
      assert.ok(exists(`${dir}/data/cardflow-dev.db`), "the database is beside the binary");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
  !denort,
);

const systemdAnalyze = exists("/usr/bin/systemd-analyze") || exists("/bin/systemd-analyze");
t(
  systemdAnalyze
    ? "the systemd unit passes systemd-analyze verify"
    : "the systemd unit passes systemd-analyze verify (skipped: systemd-analyze is not installed)",
  async () => {
    const dir = await Deno.makeTempDir();
    try {
      // verify checks that ExecStart exists, so point it at a stand-in executable.
      await Deno.writeTextFile(`${dir}/cardflow`, "#!/bin/sh\n");
      await Deno.chmod(`${dir}/cardflow`, 0o755);
      const unit = Deno.readTextFileSync("deploy/cardflow.service").replaceAll(
        "/usr/local/bin/cardflow",
        `${dir}/cardflow`,
      );
      await Deno.writeTextFile(`${dir}/cardflow.service`, unit);
      const out = await new Deno.Command("systemd-analyze", {
        args: ["verify", `${dir}/cardflow.service`],
        stdout: "piped",
        stderr: "piped",
      }).output();
      const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
      assert.ok(out.success, text);
      assert.doesNotMatch(text, /cardflow\.service/, text);
      assert.doesNotMatch(
        unit,
        /^MemoryDenyWriteExecute/m,
        "V8 needs writable and executable memory",
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
  !systemdAnalyze,
);

async function mountTmpfs(dir: string, options: string): Promise<boolean> {
  await Deno.mkdir(dir, { recursive: true });
  try {
    const out = await new Deno.Command("mount", {
      args: ["-t", "tmpfs", "-o", options, "tmpfs", dir],
      stderr: "null",
    }).output();
    return out.success;
  } catch {
    return false;
  }
}

const canMount = Deno.uid() === 0 && await (async () => {
  const probe = await Deno.makeTempDir();
  const ok = await mountTmpfs(probe, "size=16k");
  if (ok) await new Deno.Command("umount", { args: [probe] }).output();
  await Deno.remove(probe, { recursive: true }).catch(() => {});
  return ok;
})();

t(
  canMount
    ? "a read-only or full data folder at start-up gives a clear message and exit code, not a stack trace"
    : "a read-only or full data folder at start-up gives a clear message and exit code (skipped: cannot mount a tmpfs here)",
  async () => {
    const base = await Deno.makeTempDir();
    try {
      for (
        const [options, pattern] of [["ro,size=64k", /Read-only file system/], [
          "size=48k",
          /disk is full|No space left/,
        ]] as const
      ) {
        const dir = `${base}/${options.replace(/[^a-z0-9]/g, "")}`;
        assert.ok(await mountTmpfs(dir, options));
        try {
          const run = await runCardflow({ args: ["--data-dir", `${dir}/data`, "--port", "0"] });
          assert.equal(run.code, 4, run.output);
          assert.match(run.output, /cardflow: cannot (use|write to) the data folder/);
          assert.match(run.output, pattern);
          assert.doesNotMatch(run.output, /^\s+at /m, "no stack trace");
        } finally {
          await new Deno.Command("umount", { args: [dir] }).output();
        }
      }
    } finally {
      await Deno.remove(base, { recursive: true });
    }
  },
  !canMount,
);

t(
  "under its own permission set, the start-up backup is written on a worker thread, not the one serving",
  async () => {
    // Unit tests run with -A; `-P=cardflow` is what a person runs, and what refused
    // the descriptor count that decides between a thread and this one.
    const dir = await Deno.makeTempDir({ prefix: "cardflow-backup-thread-" });
    try {
      const app = await spawnCardflow({ args: ["--data-dir", dir, "--log-level", "info"] });
      let line: string | undefined;
      for (let i = 0; i < 100 && !line; i++) {
        await new Promise((r) => setTimeout(r, 100));
        line = app.output().match(/start-up backup: .*/)?.[0];
      }
      await app.stop();
      assert.ok(line, `no start-up backup logged:\n${app.output()}`);
      assert.match(line, /written on a worker thread/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);
