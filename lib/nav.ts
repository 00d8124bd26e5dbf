/**
 * @module
 * What the nav bar shows beyond the plugin list: the profiles to switch
 * between and the roles whose apps the menu lists. Both come from the
 * Profiles and Roles apps' tables when those apps are installed.
 */

import type { Db } from "./db.ts";

/** Active profiles in their order, or none when the Profiles app is absent. */
export function profileChoices(db: Db): { id: string; name: string }[] {
  try {
    const rows = db.prepare("SELECT id, name FROM profiles WHERE active = 1 ORDER BY position, id")
      .all() as {
        id: number;
        name: string;
      }[];
    return rows.map((r) => ({ id: String(r.id), name: r.name }));
  } catch {
    return [];
  }
}

/** Names of active roles, or undefined (show everything) when the Roles app is absent. */
export function activeRoles(db: Db): string[] | undefined {
  try {
    const rows = db.prepare("SELECT name FROM roles WHERE active = 1").all() as { name: string }[];
    return ["Core", ...rows.map((r) => r.name)];
  } catch {
    return undefined;
  }
}

/** The nav bar's data, read once and kept until the Profiles or Roles app changes. */
export interface Nav {
  profiles(): { id: string; name: string }[];
  roles(): string[] | undefined;
}

/** Cache {@linkcode profileChoices} and {@linkcode activeRoles} for `db`, cleared by `live` events. */
export function createNav(
  db: Db,
  live: { subscribe(send: (m: { event: string }) => void): () => void },
): Nav {
  let profiles: { id: string; name: string }[] | undefined;
  let roles: string[] | undefined | null = null;
  const unsubscribe = live.subscribe((message) => {
    if (!db.isOpen) return unsubscribe();
    if (message.event === "profiles:changed") profiles = undefined;
    if (message.event === "roles:changed") roles = null;
  });
  return {
    profiles: () => profiles ??= profileChoices(db),
    roles: () => roles === null ? (roles = activeRoles(db)) : roles,
  };
}
