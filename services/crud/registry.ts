/**
 * @module
 * Every CRUD app of a database, by slug: the one door through which buttons,
 * the profile cascade and the assistant reach records. Apps kept away from
 * the assistant (`assistant: false`) are refused to it like unknown ones.
 */

import { ValidationError } from "../../lib/errors.ts";
import type { CrudAppInfo, CrudOperation, CrudOutcome, Source } from "../events.ts";
import { ASSISTANT_ACTIONS } from "./ops.ts";
import type { CrudService } from "./service.ts";

/** The CRUD apps of one database. */
export interface CrudRegistry {
  /** Every app, in menu order. */
  all(): readonly CrudService[];
  /** The app `slug`; throws when there is none. */
  get(slug: string): CrudService;
  /** The app holding profiles or roles, if installed. */
  holding(kind: "profiles" | "roles"): CrudService | undefined;
  /** The apps the assistant may use, described for its prompt. */
  assistantApps(): CrudAppInfo[];
  /** Run an operation; the assistant (`source: "llm"`) reaches only its apps. */
  execute(operation: CrudOperation, source: Source): CrudOutcome;
}

/** A registry over `services` (a list the caller may still be filling while the apps are built). */
export function createCrudRegistry(services: readonly CrudService[]): CrudRegistry {
  const forAssistant = () => services.filter((s) => s.definition.assistant !== false);
  const unknown = (app: unknown, known: readonly CrudService[]) =>
    new ValidationError(
      "crud",
      "app",
      `There is no app called "${String(app)}" (apps: ${
        known.map((s) => s.slug).join(", ") || "none"
      }).`,
    );
  return {
    all: () => services,
    get(slug) {
      const service = services.find((s) => s.slug === slug);
      if (!service) throw unknown(slug, services);
      return service;
    },
    holding: (kind) => services.find((s) => s.definition.holds === kind),
    assistantApps: () => forAssistant().map((s) => s.info()),
    execute(operation, source) {
      const pool = source === "llm" ? forAssistant() : services;
      const service = pool.find((s) => s.slug === operation?.app);
      if (!service) throw unknown(operation?.app, pool);
      if (source === "llm" && !ASSISTANT_ACTIONS.includes(operation.action)) {
        throw new ValidationError(
          "crud",
          "action",
          `"${
            String(operation.action)
          }" is not an operation (list, insert, update, delete, toggle, sort).`,
        );
      }
      return service.execute(operation, source);
    },
  };
}
