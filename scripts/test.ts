/**
 * @module
 * `deno task test`: runs `deno test` over the suite (or the paths given),
 * streams its output, and ends with the plain line CI reads:
 * `N passed, N failed, N skipped`. Browser tests skip without a browser,
 * except under CI=true, where a missing browser fails them.
 */

const paths = Deno.args.filter((a) => !a.startsWith("-"));
const flags = Deno.args.filter((a) => a.startsWith("-"));
const command = new Deno.Command(Deno.execPath(), {
  args: [
    "test",
    "-A",
    ...flags,
    ...(paths.length ? paths : ["--doc", "lib/", "pipeline/", "services/", "tests/"]),
  ],
  stdout: "piped",
  stderr: "inherit",
});
const child = command.spawn();
const decoder = new TextDecoder();
let tail = "";
for await (const chunk of child.stdout) {
  Deno.stdout.writeSync(chunk);
  tail = (tail + decoder.decode(chunk, { stream: true })).slice(-4000);
}
const status = await child.status;

// deno test ends with e.g. "ok | 12 passed (3 steps) | 0 failed | 2 ignored (5s)".
// deno-lint-ignore no-control-regex
const plain = tail.replace(/\x1b\[[0-9;]*m/g, "");
const summary = plain.split("\n").reverse().find((line) => / passed .*\| \d+ failed/.test(line));
const count = (word: string) => Number(summary?.match(new RegExp(`(\\d+) ${word}`))?.[1] ?? 0);
const passed = count("passed");
const failed = count("failed") || (status.success ? 0 : Math.max(1, count("failed")));
const skipped = count("ignored");
const line = `${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`;
Deno.stdout.writeSync(new TextEncoder().encode(`\n${line}\n`));
Deno.exit(status.code);
