/**
 * @module
 * `/environment`: switch between the development and production databases,
 * and reset development. Each answers with `HX-Refresh` so the whole page,
 * nav bar included, shows the new state.
 */

import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import type { Deps } from "@/web/deps.ts";
import type { Environment } from "@/services/events.ts";
import { readForm } from "@/lib/form.ts";

const NAMES: Environment[] = ["development", "production"];

/** The environment switch. */
export default function environment(deps: Deps): Hono {
  return new Hono()
    .post("/", async (c) => {
      const form = await readForm(c); // a body that is not a form is a 400, never a 500
      const to = String(form.to ?? "");
      if (!NAMES.includes(to as Environment)) {
        throw new HTTPException(422, {
          message: `Unknown environment "${to}": use development or production.`,
        });
      }
      await deps.databases.switch(to as Environment);
      c.header("HX-Refresh", "true");
      return c.body(null, 204);
    })
    .post("/reset", async (c) => {
      if (deps.databases.current !== "development") {
        throw new HTTPException(409, {
          message: "Only the development database can be reset. Switch to development first.",
        });
      }
      await deps.databases.resetDevelopment();
      c.header("HX-Refresh", "true");
      return c.body(null, 204);
    });
}
