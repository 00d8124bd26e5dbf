/**
 * `--open` logs the browser in: the command it runs (BROWSER's, else the
 * system's opener) receives the login URL with the token, and that URL sets
 * the cookie.
 */
import assert from "node:assert/strict";
import { openCommands } from "@/lib/browser.ts";
import { spawnCardflow } from "./helpers/process.ts";

Deno.test("BROWSER's commands come first, %s stands for the URL, the system's opener last", () => {
  const url = "http://localhost:5001/?token=abc";
  assert.deepEqual(openCommands(url, { os: "linux" }), [{ command: "xdg-open", args: [url] }]);
  assert.deepEqual(openCommands(url, { browser: "firefox --new-tab:chromium %s", os: "darwin" }), [
    { command: "firefox", args: ["--new-tab", url] },
    { command: "chromium", args: [url] },
    { command: "open", args: [url] },
  ]);
  assert.deepEqual(openCommands(url, { browser: " ; start %s ;", os: "windows" }), [
    { command: "start", args: [url] },
    { command: "explorer", args: [url] },
  ]);
});

/** A script that writes its arguments, one a line, to `<script>.out`. */
async function recorder(dir: string, name: string): Promise<string> {
  const path = `${dir}/${name}`;
  await Deno.writeTextFile(path, `#!/bin/sh\nprintf '%s\\n' "$@" > "$0.out"\n`, { mode: 0o700 });
  return path;
}

/** What `script` was given, once it has run (undefined after 10 s). */
async function recorded(script: string): Promise<string | undefined> {
  for (let i = 0; i < 200; i++) {
    try {
      const text = await Deno.readTextFile(`${script}.out`);
      if (text.endsWith("\n")) return text.trim();
    } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 50));
  }
  return undefined;
}

Deno.test({
  name:
    "--open hands the login URL with the token to BROWSER's command (else xdg-open), and it logs the browser in",
  ignore: Deno.build.os === "windows",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "cardflow-open-" });
    try {
      const cases = [
        // BROWSER names the command; deno run must be allowed to run it.
        async () => {
          const script = await recorder(dir, "browser");
          return {
            script,
            options: {
              env: { BROWSER: `${script} --new-tab` },
              denoArgs: [`--allow-run=${script}`],
            },
            extra: ["--new-tab"],
          };
        },
        // Without BROWSER: xdg-open, which the cardflow permission set allows.
        async () => {
          const script = await recorder(dir, "xdg-open");
          return {
            script,
            options: { env: { PATH: `${dir}:${Deno.env.get("PATH")}` } },
            extra: [],
          };
        },
      ];
      for (const prepare of cases) {
        const { script, options, extra } = await prepare();
        const app = await spawnCardflow({
          ...options,
          args: ["--data-dir", `${dir}/data`, "--open"],
          token: true,
        });
        try {
          const token = (await Deno.readTextFile(`${dir}/data/token`)).trim();
          const given = await recorded(script);
          assert.deepEqual(given?.split("\n"), [...extra, app.loginUrl], script);
          assert.equal(new URL(app.loginUrl).searchParams.get("token"), token);
          // The URL logs a browser in: a cookie with the token, then the clean address.
          const login = await fetch(app.loginUrl, { redirect: "manual" });
          await login.body?.cancel();
          assert.equal(login.status, 303);
          const cookie = login.headers.get("set-cookie")?.split(";")[0] ?? "";
          assert.ok(cookie.endsWith(`=${token}`), cookie);
          const home = await fetch(app.url + "/", { headers: { cookie } });
          await home.body?.cancel();
          assert.equal(home.status, 200);
        } finally {
          await app.stop();
        }
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
