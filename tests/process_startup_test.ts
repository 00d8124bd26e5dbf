/**
 * Start-up refusals of a real process: an unusable data folder, a taken port,
 * a plugin change that would lose data, a bad file to restore or to start on,
 * a read-only or full disk; each one clear line and its own exit code, no
 * stack trace, nothing written. And --help and --version.
 */
import assert from "node:assert/strict";
import { BAD_CANDIDATES, cardflowDatabase } from "./helpers/candidates.ts";
import { namesIn, sha256 } from "./helpers/files.ts";
import { copyProject, processTest, runCardflow, spawnCardflow } from "./helpers/process.ts";

processTest(
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

processTest(
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

processTest(
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

processTest(
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
        const files = namesIn(dir);
        const run = await runCardflow({ args: ["--data-dir", dir, "--port", "0"] });
        assert.equal(run.code, 6, `${candidate.name}: ${run.output}`);
        assert.match(
          run.output,
          /^cardflow: Cannot open the development database .*cardflow-dev\.db: .*Nothing was written to it/m,
        );
        assert.match(run.output, candidate.problem);
        assert.doesNotMatch(run.output, /^\s+at /m, "no stack trace");
        assert.equal(await sha256(path), before, `${candidate.name}: not a byte changed`);
        const after = namesIn(dir);
        assert.deepEqual(after.filter((n) => n.startsWith("cardflow-dev")), ["cardflow-dev.db"]);
        assert.ok(files.every((f) => after.includes(f)));
        await Deno.remove(path);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
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

processTest(
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

processTest("--help and --version print and exit 0", async () => {
  const help = await runCardflow({ args: ["--help"] });
  assert.equal(help.code, 0);
  assert.match(help.output, /--data-dir DIR/);
  assert.match((await runCardflow({ args: ["--version"] })).output, /^cardflow \d/);
});
