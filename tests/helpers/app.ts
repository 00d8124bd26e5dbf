/**
 * @module
 * Test harness for the HTTP surface: the real app on an in-memory database
 * (or a temporary data folder), called through `app.request`-style fetches
 * with the headers a same-origin browser sends.
 */

import { type Config, testConfig } from "@/lib/config.ts";
import type { Db } from "@/lib/db.ts";
import { type Logger, silentLogger } from "@/lib/log.ts";
import { createRuntime, type Runtime } from "@/lib/runtime.ts";
import type { PluginEntry } from "@/lib/plugins.ts";
import { PLUGINS } from "@/plugins/manifest.gen.ts";
import { ROUTES } from "@/routes/manifest.gen.ts";
import { EMBEDDED } from "@/static/mod.ts";

/** The origin test requests claim to come from. */
export const ORIGIN = "http://localhost:5001";

/** A runtime plus helpers to call it like a browser would. */
export interface TestApp {
  runtime: Runtime;
  /** A request with `Host: localhost:5001`; POSTs carry a same-origin `Origin`. */
  request(path: string, init?: RequestInit & { htmx?: boolean }): Promise<Response>;
  /** POST a form (same-origin, htmx unless `htmx: false`). */
  post(
    path: string,
    form: Record<string, string | string[]>,
    init?: { htmx?: boolean },
  ): Promise<Response>;
  close(): void;
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
  });
  async function request(path: string, init: RequestInit & { htmx?: boolean } = {}) {
    const headers = new Headers(init.headers);
    if (!headers.has("host")) headers.set("host", "localhost:5001");
    const method = (init.method ?? "GET").toUpperCase();
    if (method !== "GET" && method !== "HEAD" && !headers.has("origin")) {
      headers.set("origin", ORIGIN);
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

/** Every table's rows, as one string: equal before and after means nothing changed. */
export function dump(db: Db): string {
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    .all() as {
      name: string;
    }[];
  return JSON.stringify(
    tables.map(({ name }) => [name, db.prepare(`SELECT * FROM "${name}"`).all()]),
  );
}
