/**
 * @module
 * `deno task compile [--target T] [--output PATH]`: builds the one-file
 * Cardflow with `deno compile`, with the `cardflow` permission set from
 * deno.json (the same one `deno task start` uses). Static files, routes and
 * plugins are static or text imports, so the binary needs nothing beside it.
 *
 * `deno compile` needs its `denort` base binary for the target. It honours
 * `DENORT_BIN` (a local denort), else downloads one; with no network and no
 * `DENORT_BIN` this script says so plainly and exits 2.
 */

/** The targets `deno compile` knows, by a short name. */
export const TARGETS: Record<string, string> = {
  "linux-x64": "x86_64-unknown-linux-gnu",
  "linux-arm64": "aarch64-unknown-linux-gnu",
  "macos-x64": "x86_64-apple-darwin",
  "macos-arm64": "aarch64-apple-darwin",
  "windows-x64": "x86_64-pc-windows-msvc",
};

/** The `deno compile` arguments for a target and output path. */
export function compileArgs(options: { target?: string; output: string }): string[] {
  // Worker entry modules are not found by following imports: named here (lib/backup_thread.ts).
  const args = [
    "compile",
    "-P=cardflow",
    "--no-check",
    "--include",
    "lib/backup_worker.ts",
    "--output",
    options.output,
  ];
  if (options.target) args.push("--target", TARGETS[options.target] ?? options.target);
  return [...args, "main.ts"];
}

/** Where the binary goes for `target`. */
export function outputFor(target?: string): string {
  const windows = (target ?? Deno.build.os).includes("windows");
  return `dist/cardflow${target ? `-${target}` : ""}${windows ? ".exe" : ""}`;
}

function say(text: string): void {
  Deno.stderr.writeSync(new TextEncoder().encode(text + "\n"));
}

if (import.meta.main) {
  const flag = (name: string) => {
    const i = Deno.args.indexOf(name);
    return i === -1 ? undefined : Deno.args[i + 1];
  };
  const target = flag("--target");
  const output = flag("--output") ?? outputFor(target);
  const denort = Deno.env.get("DENORT_BIN");
  if (denort) {
    try {
      if (!Deno.statSync(denort).isFile) throw new Error("not a file");
    } catch {
      say(`DENORT_BIN is set to ${denort}, which is not a file.`);
      Deno.exit(2);
    }
    say(`Using the denort base binary at ${denort}.`);
  } else {
    say(
      "DENORT_BIN is not set: deno compile will try to download its base binary (needs the network).",
    );
  }
  await Deno.mkdir("dist", { recursive: true });
  const result = await new Deno.Command(Deno.execPath(), {
    args: compileArgs({ target, output }),
    stderr: "piped",
  }).output();
  const error = new TextDecoder().decode(result.stderr);
  if (!result.success) {
    Deno.stderr.writeSync(result.stderr);
    if (/denort|dl\.deno\.land|download/i.test(error) && !denort) {
      say(
        "\nNo denort base binary could be had. Set DENORT_BIN to a denort for this target and run again.",
      );
    }
    Deno.exit(2);
  }
  say(`Built ${output}. Run it; it keeps its data in a data/ folder beside itself.`);
}
