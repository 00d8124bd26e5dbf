import assert from "node:assert/strict";
import { createBus } from "@/lib/bus.ts";
import { createLogger, type Level } from "@/lib/log.ts";

Deno.test("the logger drops lines below its level and writes readable lines", () => {
  const lines: [Level, string][] = [];
  const log = createLogger({ level: "info", sink: (level, line) => lines.push([level, line]) });
  log.debug("hidden");
  log.info("shown", { a: 1 });
  log.child("db").warn("careful");
  assert.equal(lines.length, 2);
  assert.match(lines[0]![1], /INFO {2}\[cardflow\] shown \{"a":1\}$/);
  assert.match(lines[1]![1], /WARN {2}\[cardflow:db\] careful$/);
  assert.equal(log.enabled("debug"), false);
});

Deno.test("the log file rotates when it grows past its limit", async () => {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/cardflow.log`;
  const log = createLogger({
    level: "debug",
    consoleLevel: "silent",
    file,
    maxBytes: 1000,
    keep: 2,
  });
  for (let i = 0; i < 60; i++) log.info(`line ${i} ${"x".repeat(40)}`);
  log.close();
  const names = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
  assert.deepEqual(names, ["cardflow.log", "cardflow.log.1", "cardflow.log.2"]);
  assert.ok(Deno.statSync(file).size <= 1000);
  assert.match(Deno.readTextFileSync(file), /line 59/);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("emitting on the bus returns before listeners run and survives a failing listener", async () => {
  const errors: string[] = [];
  const log = createLogger({ level: "error", sink: (_l, line) => errors.push(line) });
  const bus = createBus<{ ping: number }>(log);
  const seen: number[] = [];
  bus.on("ping", () => {
    throw new Error("boom");
  });
  const off = bus.on("ping", (n) => {
    seen.push(n);
  });
  bus.emit("ping", 1);
  assert.deepEqual(seen, [], "listeners must not run inside emit");
  await bus.idle();
  assert.deepEqual(seen, [1]);
  assert.equal(errors.length, 1);
  assert.match(errors[0]!, /boom/);
  off();
  bus.emit("ping", 2);
  await bus.idle();
  assert.deepEqual(seen, [1]);
});

Deno.test("text from outside cannot forge a log line: control characters are escaped", () => {
  const lines: string[] = [];
  const log = createLogger({ level: "debug", sink: (_level, line) => lines.push(line) });
  const forged = "crud\n2026-11-25T00:00:00.000Z INFO  [cardflow] admin logged in\r\u2028";
  log.info(`assistant ran ${forged}`, { args: forged });
  log.warn("refused", new Error(`no field "${forged}"`));
  assert.equal(lines.length, 2);
  for (const line of lines.slice(0, 1)) assert.doesNotMatch(line, /[\n\r\u2028]/);
  assert.match(lines[0]!, /assistant ran crud\\n2026-11-25T00:00:00\.000Z INFO/);
  assert.equal(
    lines[1]!.split("\n").filter((l) => /^\d{4}-\d{2}-\d{2}T/.test(l)).length,
    1,
    "an error's stack adds only indented frames, never a line that looks like a log line",
  );
});
