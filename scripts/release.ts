/**
 * @module
 * `deno run -A scripts/release.ts`: builds `dist/cardflow-<target>` for every
 * target in `scripts/compile.ts`, then writes SHA-256 sums. Each target needs
 * its denort: `DENORT_BIN_<TARGET>` (e.g. `DENORT_BIN_LINUX_X64`), else the
 * network. Targets that cannot be built are reported, not hidden.
 */

import { compileArgs, outputFor, TARGETS } from "./compile.ts";

const built: string[] = [];
const failed: string[] = [];
for (const target of Object.keys(TARGETS)) {
  const denort = Deno.env.get(`DENORT_BIN_${target.toUpperCase().replace("-", "_")}`);
  const env: Record<string, string> = denort ? { DENORT_BIN: denort } : {};
  const output = outputFor(target);
  const result = await new Deno.Command(Deno.execPath(), {
    args: compileArgs({ target, output }),
    env,
    stderr: "null",
  })
    .output();
  (result.success ? built : failed).push(target);
  if (result.success) {
    const bytes = await Deno.readFile(output);
    const sum = Array.from(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)))
      .map((b) => b.toString(16).padStart(2, "0")).join("");
    await Deno.writeTextFile("dist/SHA256SUMS", `${sum}  ${output.slice(5)}\n`, { append: true });
  }
}
const report = `built: ${built.join(", ") || "none"}\nfailed: ${failed.join(", ") || "none"}\n`;
Deno.stdout.writeSync(new TextEncoder().encode(report));
Deno.exit(failed.length ? 1 : 0);
