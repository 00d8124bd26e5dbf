/**
 * @module
 * Roles: which groups of apps the menu shows. The names of the active
 * records of the app that `holds: "roles"` (Core always); without such an
 * app, every group shows.
 */

import { titleField } from "../pipeline/crud/define.ts";
import type { CrudRegistry } from "./crud/registry.ts";

/** The menu's roles, cached until the Roles app changes. */
export interface Roles {
  /** Names of the active roles with Core first, or undefined (show everything). */
  active(): string[] | undefined;
  invalidate(): void;
}

/** Roles over the app holding them in `crud`, if any. */
export function createRoles(crud: () => CrudRegistry): Roles {
  let cache: string[] | undefined | null = null;
  return {
    active() {
      if (cache !== null) return cache;
      const service = crud().holding("roles");
      if (!service) return cache = undefined;
      const name = titleField(service.definition);
      const toggle = service.definition.toggle;
      const names = service.list()
        .filter((r) => !toggle || r[toggle] === true)
        .map((r) => String(r[name]));
      return cache = ["Core", ...names.filter((n) => n !== "Core")];
    },
    invalidate() {
      cache = null;
    },
  };
}
