/**
 * @module
 * `/dev/*`: the dev loop's endpoints, mounted only under `deno task dev`
 * (`--dev`); everywhere else every path here is a 404. `boot` answers the
 * server's boot id (pages reload when it changes); `notify` lets the
 * supervisor, holding the token from the environment, push an event to
 * every open page over the live stream.
 */

import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import type { Deps } from "@/web/deps.ts";

const EVENTS = ["dev:error", "dev:ok", "dev:css", "dev:reload", "dev:restarting"];

/** Dev endpoints (empty outside dev mode). */
export default function dev(deps: Deps): Hono {
  const app = new Hono();
  if (!deps.config.dev) return app;
  const token = Deno.env.get("CARDFLOW_DEV_TOKEN") ?? "";
  return app
    .get("/boot", (c) => {
      c.header("Cache-Control", "no-store");
      return c.text(deps.bootId);
    })
    .post("/notify", async (c) => {
      if (!token || c.req.header("x-cardflow-dev-token") !== token) {
        throw new HTTPException(403, { message: "Only the dev supervisor may notify pages." });
      }
      const { event, data } = await c.req.json().catch(() => ({})) as {
        event?: string;
        data?: unknown;
      };
      if (!event || !EVENTS.includes(event)) {
        throw new HTTPException(422, { message: "Unknown dev event." });
      }
      deps.live.publish(event, JSON.stringify(data ?? null));
      return c.body(null, 204);
    });
}
