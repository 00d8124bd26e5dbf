/**
 * @module
 * Which commands `--open` tries to open the login URL in a browser: those in
 * the `BROWSER` variable, as git, Python's `webbrowser` and many command-line
 * tools read it, then the system's opener. Pure, so the rule is tested;
 * `main.ts` runs the first command that starts.
 */

/** A program and its arguments. */
export interface OpenCommand {
  command: string;
  args: string[];
}

/** The system's opener on `os` (`Deno.build.os`). */
export function systemOpener(os: string): string {
  if (os === "darwin") return "open";
  if (os === "windows") return "explorer";
  return "xdg-open";
}

/**
 * The commands that may open `url`, to try in order. `browser` is the
 * `BROWSER` variable: commands separated by `:` (`;` on Windows), each a
 * program and its arguments separated by spaces, where `%s` stands for the
 * URL (added last when absent). The system's opener comes last.
 *
 * @example
 * ```ts
 * import { openCommands } from "./browser.ts";
 * openCommands("http://localhost:5001/?token=t", { browser: "firefox --new-tab", os: "linux" });
 * // [{ command: "firefox", args: ["--new-tab", "http://localhost:5001/?token=t"] },
 * //  { command: "xdg-open", args: ["http://localhost:5001/?token=t"] }]
 * ```
 */
export function openCommands(
  url: string,
  options: { browser?: string; os: string },
): OpenCommand[] {
  const separator = options.os === "windows" ? ";" : ":";
  const chosen = (options.browser ?? "").split(separator).flatMap((entry): OpenCommand[] => {
    const [command, ...words] = entry.trim().split(/\s+/).filter(Boolean);
    if (!command) return [];
    const args = words.some((w) => w.includes("%s"))
      ? words.map((w) => w.replaceAll("%s", url))
      : [...words, url];
    return [{ command, args }];
  });
  return [...chosen, { command: systemOpener(options.os), args: [url] }];
}
