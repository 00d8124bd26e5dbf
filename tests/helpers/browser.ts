/**
 * @module
 * End-to-end harness: the real server on a free port with a temporary data
 * folder, and Debian's Chromium driven by playwright-core. Without a browser
 * the test is reported as skipped with the reason, except under CI=true,
 * where `.ci/run` installs Chromium and a missing one fails the run.
 */

import { type Browser, chromium, type Page } from "playwright-core";
import { type Config, testConfig } from "@/lib/config.ts";
import { silentLogger } from "@/lib/log.ts";
import { type Server, startServer } from "@/app/server.ts";
import type { PluginEntry } from "@/pipeline/load.ts";
import { PLUGINS } from "@/plugins/manifest.gen.ts";
import { ROUTES } from "@/routes/manifest.gen.ts";
import { EMBEDDED, LAZY } from "@/static/mod.ts";

/** Chromium's flags for this machine's closed network. */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/** The browser executable: `CHROME_PATH`, else Debian's Chromium, else undefined. */
export function browserPath(): string | undefined {
  const candidates = [
    Deno.env.get("CHROME_PATH"),
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
  ];
  for (const path of candidates) {
    if (!path) continue;
    try {
      if (Deno.statSync(path).isFile) return path;
    } catch { /* not there */ }
  }
  return undefined;
}

/** What a browser test receives. */
export interface BrowserContext {
  page: Page;
  browser: Browser;
  server: Server;
  /** The server's base URL, no trailing slash. */
  url: string;
  dataDir: string;
  /** A second page (another tab) on the same browser. */
  newPage(): Promise<Page>;
  /** Messages of every alert or prompt any page opened (confirms are listed in `confirms`). */
  dialogs: string[];
  /** Messages of every confirm() any page opened, in order, whatever the answer. */
  confirms: string[];
  /** How confirms are answered from now on: accepted (the default, as a person would) or not. */
  answerConfirms(accept: boolean): void;
}

/** What the dialogs of a test's pages saw, and how confirms are answered. */
interface DialogLog {
  dialogs: string[];
  confirms: string[];
  accept: boolean;
}

function watchDialogs(page: Page, log: DialogLog): void {
  page.on("dialog", (dialog) => {
    if (dialog.type() === "confirm") {
      log.confirms.push(dialog.message());
      (log.accept ? dialog.accept() : dialog.dismiss()).catch(() => {});
      return;
    }
    log.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    dialog.dismiss().catch(() => {});
  });
}

/** Options for {@linkcode browserTest}. */
export interface BrowserTestOptions {
  /**
   * Config for the server, or a function that prepares it (e.g. starts a fake
   * Ollama). The access token is on unless it says `token: false`: the
   * browser logs in through the server's printed URL first, as a person does.
   */
  config?: Partial<Config> | (() => Promise<Partial<Config>>);
  /** The plugins to load (today's when omitted). */
  plugins?: PluginEntry[];
}

/** Start a real server with a fresh data folder (for tests that need no browser too). */
export async function startTestServer(
  config: Partial<Config> = {},
  plugins: PluginEntry[] = PLUGINS,
): Promise<{ server: Server; dataDir: string }> {
  const dataDir = config.dataDir ?? await Deno.makeTempDir({ prefix: "cardflow-test-" });
  const server = await startServer({
    config: testConfig({ ...config, dataDir }),
    log: silentLogger(),
    routes: ROUTES,
    plugins,
    files: EMBEDDED,
    lazyFiles: LAZY,
  });
  return { server, dataDir };
}

/**
 * The headers a same-origin page of `server` sends with a write: its origin,
 * its context, and (when the access token is on) the token a logged-in
 * browser's cookie carries.
 */
export function pageHeaders(server: Server): Record<string, string> {
  return {
    origin: server.url,
    "x-cardflow-context": server.runtime.services().context.stamp(),
    ...(server.runtime.token ? { authorization: `Bearer ${server.runtime.token}` } : {}),
  };
}

/**
 * POST a form to `server` as one of its pages would (htmx, its context and
 * token); the status, the body left unread.
 */
export async function postAsPage(
  server: Server,
  path: string,
  form: Record<string, string>,
): Promise<number> {
  const res = await fetch(server.url + path, {
    method: "POST",
    headers: {
      ...pageHeaders(server),
      "content-type": "application/x-www-form-urlencoded",
      "hx-request": "true",
    },
    body: new URLSearchParams(form),
  });
  await res.body?.cancel();
  return res.status;
}

/** Register a browser test; `fn` gets a page on a freshly started server. */
export function browserTest(
  name: string,
  fn: (ctx: BrowserContext) => Promise<void>,
  options: BrowserTestOptions = {},
): void {
  const executablePath = browserPath();
  if (!executablePath && Deno.env.get("CI") !== "true") {
    Deno.test({
      name: `${name} (skipped: no Chromium at CHROME_PATH or /usr/bin/chromium)`,
      ignore: true,
      fn() {},
    });
    return;
  }
  Deno.test({
    name,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      if (!executablePath) {
        throw new Error("CI=true but no Chromium: .ci/run should have installed it");
      }
      const config = typeof options.config === "function" ? await options.config() : options.config;
      const { server, dataDir } = await startTestServer(
        { token: true, ...config },
        options.plugins,
      );
      // playwright gives each launch a fresh temporary profile of its own.
      const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
      try {
        const context = await browser.newContext();
        const page = await context.newPage();
        // Log in as a person does: open the printed URL once; the cookie serves every tab.
        await page.goto(server.loginUrl);
        // Confirmations are recorded and accepted as a person would; any other
        // dialog (an alert from injected script) is recorded for the test to check.
        const log: DialogLog = { dialogs: [], confirms: [], accept: true };
        context.on("page", (p) => watchDialogs(p, log));
        watchDialogs(page, log);
        await fn({
          page,
          browser,
          server,
          url: server.url,
          dataDir,
          newPage: () => context.newPage(),
          dialogs: log.dialogs,
          confirms: log.confirms,
          answerConfirms: (accept) => {
            log.accept = accept;
          },
        });
      } finally {
        await browser.close().catch(() => {});
        await server.shutdown();
        await Deno.remove(dataDir, { recursive: true }).catch(() => {});
      }
    },
  });
}
