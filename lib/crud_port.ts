/**
 * @module
 * The registry behind `deps.crud`: CRUD apps register as they mount, and
 * the chat reaches them by slug. Unknown apps are refused like any other
 * invalid operation.
 */

import type { CrudApp, CrudPort } from "./deps.ts";
import { ValidationError } from "./table.ts";

/** An empty port; the CRUD engine fills it. */
export function createCrudPort(): CrudPort {
  const apps = new Map<string, CrudApp>();
  return {
    apps: () => [...apps.values()].map((app) => app.info()),
    execute(operation, source) {
      const app = typeof operation?.app === "string" ? apps.get(operation.app) : undefined;
      if (!app) {
        const known = [...apps.keys()].join(", ") || "none";
        throw new ValidationError(
          "crud",
          "app",
          `There is no app called "${String(operation?.app)}" (apps: ${known}).`,
        );
      }
      return app.execute(operation, source);
    },
    register(app) {
      apps.set(app.info().slug, app);
    },
  };
}
