/**
 * @module
 * Builds the Hono application for one database: the security guard, the
 * body cap and the context check first, then the file-based routes from
 * `routes/manifest.gen.ts`, the chat, one sub-app per plugin under its slug,
 * and the one error handler (`web/errors.tsx`).
 */

import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import { chatRoutes, socketRoutes } from "../chat/routes.tsx";
import type { ChatHub } from "../chat/hub_api.ts";
import { mountPlugin } from "../engines/mod.tsx";
import { guard } from "../lib/security.ts";
import { contextGuard } from "../web/context.ts";
import type { Deps, RouteEntry } from "../web/deps.ts";
import { describeError, errorResponse } from "../web/errors.tsx";

/** What {@linkcode createApp} mounts besides the plugins. */
export interface AppParts {
  routes: readonly RouteEntry[];
  chat: ChatHub;
  /** The access token every request must carry (`lib/access_token.ts`); none when undefined. */
  token?: string;
}

/** Build the application. */
export function createApp(deps: Deps, parts: AppParts): Hono {
  const app = new Hono();
  const log = deps.log.child("http");

  app.use(guard({
    ...deps.config,
    token: parts.token,
    // The dev loop's endpoints carry the supervisor's own token (routes/dev.ts).
    open: deps.config.dev ? (path) => path.startsWith("/dev/") : undefined,
  }));
  app.use(bodyLimit({
    maxSize: deps.config.maxBodyBytes,
    onError: () => {
      throw new HTTPException(413);
    },
  }));
  app.use(contextGuard(deps));
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
  app.route("/chat", chatRoutes(deps, parts.chat));
  app.route("/ws", socketRoutes(deps, parts.chat));
  for (const plugin of deps.services.plugins) {
    app.route(`/${plugin.slug}`, mountPlugin(deps, plugin));
  }

  app.notFound((c) =>
    errorResponse(c, deps, { status: 404, message: `Nothing here: ${c.req.path}` })
  );
  app.onError(function onError(error, c) {
    const description = describeError(error);
    if (description.status >= 500 && description.status !== 507) {
      log.error(`${c.req.method} ${c.req.path} failed`, error);
    } else {
      log.debug(`${c.req.method} ${c.req.path} → ${description.status}: ${description.message}`);
    }
    return errorResponse(c, deps, description);
  });
  return app;
}
