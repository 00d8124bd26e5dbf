/**
 * @module
 * Every write carries back the context its page was rendered for (the
 * `X-Cardflow-Context` header htmx adds from `<body>`); a write whose
 * context is gone is refused before any route runs, so it is stored
 * nowhere (see `services/context.ts`).
 */

import type { MiddlewareHandler } from "hono";
import type { Deps } from "./deps.ts";

/** The header a page's requests carry their context in. */
export const CONTEXT_HEADER = "x-cardflow-context";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** Refuse writes from a page rendered for another database or profile. */
export function contextGuard(deps: Deps): MiddlewareHandler {
  return async function checkContext(c, next) {
    // The dev supervisor's notifications change no data and come from no page.
    if (!SAFE_METHODS.has(c.req.method) && !c.req.path.startsWith("/dev/")) {
      deps.services.context.check(c.req.header(CONTEXT_HEADER));
    }
    await next();
  };
}
