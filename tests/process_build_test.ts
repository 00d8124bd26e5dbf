/**
 * What ships: the compile task's arguments, the compiled binary serving with
 * its data beside itself (when a denort base binary is at hand), and the
 * systemd unit passing systemd-analyze (when it is installed).
 */
import assert from "node:assert/strict";
import { compileArgs, outputFor } from "../scripts/compile.ts";
import { exists } from "./helpers/files.ts";
import { formPoster, processTest } from "./helpers/process.ts";

const post = formPoster();

processTest("the compile task builds with the start task's permission set for each target", () => {
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
processTest(
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
processTest(
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
