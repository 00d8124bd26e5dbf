/**
 * @module
 * Builds the Hono application from `deps`: the security guard first, then the
 * file-based routes from `routes/manifest.gen.ts`, then one sub-app per plugin
 * under its slug, and one error handler that renders a fragment for htmx and a
 * page for everyone else.
 */

import { type Context, Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { Notice } from "../components/layout.tsx";
import type { Deps, RouteFactory } from "./deps.ts";
import { guard } from "./security.ts";
import { render } from "./shell.tsx";
import { NotFoundError, ValidationError } from "./table.ts";

/** A route module as listed in the manifest. */
export interface RouteEntry {
  /** URL path the module is mounted at, from its file name. */
  path: string;
  file: string;
  module: { default: RouteFactory };
}

/** Mounts one plugin; supplied by `pipeline/engines.ts`. */
export type MountPlugin = (deps: Deps, plugin: Deps["plugins"][number]) => Hono;

/** What {@linkcode createApp} mounts. */
export interface AppParts {
  routes: readonly RouteEntry[];
  mountPlugin: MountPlugin;
}

function statusOf(error: unknown): number {
  if (error instanceof HTTPException) return error.status;
  if (error instanceof NotFoundError) return 404;
  if (error instanceof ValidationError) return 422;
  // A capped body that overflowed while being read surfaces wrapped.
  const cause = (error as { cause?: unknown })?.cause;
  if (cause instanceof HTTPException) return cause.status;
  return 500;
}

/** Build the application. */
export function createApp(deps: Deps, parts: AppParts): Hono {
  const app = new Hono();
  const log = deps.log.child("http");

  app.use(guard(deps.config));
  if (log.enabled("debug")) {
    app.use(async function requestLog(c, next) {
      const start = performance.now();
      await next();
      log.debug(
        `${c.req.method} ${c.req.path} ${c.res.status} ${(performance.now() - start).toFixed(1)}ms`,
      );
    });
  }

  for (const route of parts.routes) app.route(route.path, route.module.default(deps));
  for (const plugin of deps.plugins) app.route(`/${plugin.slug}`, parts.mountPlugin(deps, plugin));

  function respond(c: Context, status: number, message: string): Response | Promise<Response> {
    const box = <Notice kind="error">{message}</Notice>;
    if (c.req.header("hx-request") === "true") {
      c.header("HX-Retarget", "#flash");
      c.header("HX-Reswap", "innerHTML");
      return c.html(box, status as 400);
    }
    if (!(c.req.header("accept") ?? "").includes("text/html")) {
      return c.text(message, status as 400);
    }
    try {
      return render(c, deps, <section class="card">{box}</section>, {
        title: status === 404 ? "Not found" : "Error",
        status: status as 400,
      });
    } catch {
      return c.text(message, status as 400);
    }
  }

  app.notFound((c) => respond(c, 404, `Nothing here: ${c.req.path}`));
  app.onError(function onError(error, c) {
    const status = statusOf(error);
    if (status >= 500) log.error(`${c.req.method} ${c.req.path} failed`, error);
    else log.debug(`${c.req.method} ${c.req.path} → ${status}: ${(error as Error).message}`);
    return respond(
      c,
      status,
      status >= 500
        ? "Something went wrong on the server. The details are in the log."
        : (error as Error).message,
    );
  });

  return app;
}
