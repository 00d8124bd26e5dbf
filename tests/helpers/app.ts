/**
 * @module
 * Test harness for the HTTP surface: the real app on an in-memory database
 * (or a temporary data folder), called through `app.request`-style fetches
 * with the headers a same-origin browser sends.
 */

import { createRuntime, type Runtime } from "@/app/runtime.ts";
import { type Config, testConfig } from "@/lib/config.ts";
import type { Db } from "@/lib/db.ts";
import { type Logger, silentLogger } from "@/lib/log.ts";
import type { PluginEntry } from "@/pipeline/load.ts";
import { CONTEXT_HEADER } from "@/web/context.ts";
import { PLUGINS } from "@/plugins/manifest.gen.ts";
import { ROUTES } from "@/routes/manifest.gen.ts";
import { EMBEDDED, LAZY } from "@/static/mod.ts";

/** The origin test requests claim to come from. */
export const ORIGIN = "http://localhost:5001";

/** A runtime plus helpers to call it like a browser would. */
export interface TestApp {
  runtime: Runtime;
  /**
   * A request with `Host: localhost:5001`; writes carry a same-origin
   * `Origin` and, like a page that is up to date, the current context stamp
   * (unless the headers already hold one). With the access token on
   * (`config.token`), every request carries it, as a logged-in browser's do,
   * unless the headers hold a cookie or an Authorization of their own.
   */
  request(path: string, init?: RequestInit & { htmx?: boolean }): Promise<Response>;
  /** POST a form (same-origin, htmx unless `htmx: false`). */
  post(
    path: string,
    form: Record<string, string | string[]>,
    init?: { htmx?: boolean },
  ): Promise<Response>;
  /** Close the app; resolves once a backup under way has stopped (await it before removing files). */
  close(): Promise<void>;
}

/** Options for {@linkcode testApp}. */
export interface TestAppOptions {
  config?: Partial<Config>;
  plugins?: PluginEntry[];
  log?: Logger;
}

/** Build the real app for a test; call `close()` at the end. */
export function testApp(options: TestAppOptions = {}): TestApp {
  const runtime = createRuntime({
    config: testConfig(options.config),
    log: options.log ?? silentLogger(),
    routes: ROUTES,
    plugins: options.plugins ?? PLUGINS,
    files: EMBEDDED,
    lazyFiles: LAZY,
  });
  async function request(path: string, init: RequestInit & { htmx?: boolean } = {}) {
    const headers = new Headers(init.headers);
    if (!headers.has("host")) headers.set("host", "localhost:5001");
    if (runtime.token && !headers.has("authorization") && !headers.has("cookie")) {
      headers.set("authorization", `Bearer ${runtime.token}`);
    }
    const method = (init.method ?? "GET").toUpperCase();
    if (method !== "GET" && method !== "HEAD") {
      if (!headers.has("origin")) headers.set("origin", ORIGIN);
      if (!headers.has(CONTEXT_HEADER)) {
        headers.set(CONTEXT_HEADER, runtime.services().context.stamp());
      }
    }
    if (init.htmx) headers.set("hx-request", "true");
    return await runtime.fetch(new Request(`http://localhost:5001${path}`, { ...init, headers }));
  }
  return {
    runtime,
    request,
    post(path, form, init = {}) {
      const body = new URLSearchParams();
      for (const [key, value] of Object.entries(form)) {
        for (const v of Array.isArray(value) ? value : [value]) body.append(key, v);
      }
      return request(path, { method: "POST", body, htmx: init.htmx ?? true });
    },
    close: () => runtime.close(),
  };
}

/**
 * Every table's rows, as one string: equal before and after means nothing
 * changed. Search indexes (FTS5 tables and their shadow tables) are left
 * out: they are derived from the tables, and their internal segments differ
 * after a change and its undo even when they index the same text.
 */
export function dump(db: Db): string {
  const all = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name")
    .all() as { name: string; sql: string | null }[];
  const virtual = all.filter((t) => /^CREATE VIRTUAL TABLE/i.test(t.sql ?? "")).map((t) => t.name);
  const tables = all.filter((t) =>
    !virtual.some((v) => t.name === v || t.name.startsWith(`${v}_`))
  );
  return JSON.stringify(
    tables.map(({ name }) => [name, db.prepare(`SELECT * FROM "${name}"`).all()]),
  );
}

/** The context stamp of a page from the Cardflow at `url`, as a browser tab would hold it. */
export async function pageContext(url: string): Promise<string> {
  const page = await (await fetch(`${url}/`)).text();
  const stamp = page.match(/data-context="([^"]+)"/)?.[1];
  if (!stamp) throw new Error(`no context stamp in the page at ${url}`);
  return stamp;
}
