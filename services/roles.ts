/**
 * @module
 * Roles: which groups of apps the menu shows, in which order, and in which
 * colour. The active records of the app that `holds: "roles"`, in that
 * app's order (Core is always shown, first unless the app places it);
 * without such an app, every group shows.
 */

import { titleField } from "../pipeline/crud/define.ts";
import type { CrudRegistry } from "./crud/registry.ts";

/** A role as the menu shows it. */
export interface Role {
  name: string;
  /** A colour name from the Roles app's palette, when it has a `colour` field. */
  colour?: string;
}

/** The menu's roles, cached until the Roles app changes. */
export interface Roles {
  /** The active roles in order (Core always among them), or undefined (show everything). */
  active(): Role[] | undefined;
  invalidate(): void;
}

/** Roles over the app holding them in `crud`, if any. */
export function createRoles(crud: () => CrudRegistry): Roles {
  let cache: Role[] | undefined | null = null;
  return {
    active() {
      if (cache !== null) return cache;
      const service = crud().holding("roles");
      if (!service) return cache = undefined;
      const name = titleField(service.definition);
      const toggle = service.definition.toggle;
      const hasColour = service.definition.fields.some((f) => f.name === "colour");
      const roles: Role[] = service.list()
        .filter((r) => !toggle || r[toggle] === true || r[name] === "Core")
        .map((r) => ({
          name: String(r[name]),
          ...(hasColour && typeof r.colour === "string" ? { colour: r.colour } : {}),
        }));
      return cache = roles.some((r) => r.name === "Core") ? roles : [{ name: "Core" }, ...roles];
    },
    invalidate() {
      cache = null;
    },
  };
}
