/**
 * Cardflow as a real process: where it keeps its data, a crash or a stop in
 * the middle of writes losing nothing acknowledged, owner-only files, and
 * the start-up backup written off the serving thread. Start-up refusals are
 * in process_startup_test.ts, the compiled binary and the unit file in
 * process_build_test.ts.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { exists } from "./helpers/files.ts";
import { formPoster, processTest, spawnCardflow, type SpawnOptions } from "./helpers/process.ts";

const post = formPoster();

processTest(
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
  processTest(
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

processTest(
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

processTest(
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
