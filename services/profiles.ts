/**
 * @module
 * Profiles: who the work is for. The current profile (its id kept in the
 * store) scopes CRUD apps that say `scope: "profile"` and names new run
 * keys. The records live in the CRUD app that `holds: "profiles"`; without
 * one, everything belongs to one unnamed profile. Deleting a profile that
 * still owns records elsewhere asks first, then deletes them with it in one
 * transaction.
 */

import { type Db, transaction } from "../lib/db.ts";
import { ConflictError } from "../lib/errors.ts";
import type { Store } from "../lib/store.ts";
import { titleField } from "../pipeline/crud/define.ts";
import type { CrudRegistry } from "./crud/registry.ts";
import type { CrudOutcome } from "./events.ts";

/** A profile as menus show it. */
export interface Profile {
  id: number;
  name: string;
  active: boolean;
}

/** What another app holds of a profile. */
export interface Owned {
  title: string;
  count: number;
}

/** The profiles of one database. */
export interface Profiles {
  /** The current profile; `id` is null when no Profiles app is installed. */
  current(): { id: number | null; name: string };
  /** Active profiles in their order, for the switcher. */
  choices(): Profile[];
  /** Every profile, active or not. */
  list(): Profile[];
  /** The name of profile `id`, or "#id" when it is gone. */
  nameOf(id: number): string;
  /** Whether profile `id` exists (active or not). */
  exists(id: number): boolean;
  /** Make profile `id` current; throws NotFoundError for an unknown one. */
  select(id: number): Profile;
  /** Records that profile `id` owns in other apps. */
  owned(id: number): Owned[];
  /**
   * Delete profile `id`. When it owns records elsewhere and `cascade` is
   * false nothing happens and the records are returned; with `cascade` they
   * go with it, in one transaction. The last profile cannot go.
   */
  remove(
    id: number,
    cascade: boolean,
  ): { removed: boolean; owned: Owned[]; deleted?: CrudOutcome };
  /** Keep a current profile: the stored one if it still exists, else the first. */
  ensureCurrent(): void;
  /** Forget cached names (the Profiles app changed). */
  invalidate(): void;
}

/** The store key of the current profile's id. */
export const CURRENT_PROFILE = "profile.current.id";

/**
 * Profiles over the app holding them in `crud`, if any; `moved` is told
 * whenever the current profile changes.
 */
export function createProfiles(
  db: Db,
  store: Store,
  crud: () => CrudRegistry,
  moved: () => void = () => {},
): Profiles {
  let cache: Profile[] | undefined;
  const setCurrent = (id: number) => {
    if (store.get(CURRENT_PROFILE) === id) return;
    store.set(CURRENT_PROFILE, id);
    moved();
  };
  const app = () => crud().holding("profiles");

  function all(): Profile[] {
    const service = app();
    if (!service) return [];
    if (cache) return cache;
    const name = titleField(service.definition);
    const active = service.definition.toggle;
    cache = service.list().map((r) => ({
      id: r.id as number,
      name: String(r[name]),
      active: active ? r[active] === true : true,
    }));
    return cache;
  }

  const profiles: Profiles = {
    current() {
      const id = store.get<number | null>(CURRENT_PROFILE, null);
      if (!app()) return { id: null, name: "Default" };
      const found = all().find((p) => p.id === id);
      return found ? { id: found.id, name: found.name } : { id, name: "Default" };
    },
    choices: () => all().filter((p) => p.active),
    list: () => all(),
    nameOf: (id) => all().find((p) => p.id === id)?.name ?? `#${id}`,
    exists: (id) => all().some((p) => p.id === id),
    select(id) {
      const record = app()?.get(id);
      const profile = all().find((p) => p.id === record?.id);
      if (!profile) throw new ConflictError("There are no profiles to choose from.");
      setCurrent(profile.id);
      return profile;
    },
    owned(id) {
      return crud().all()
        .map((s) => ({ title: s.definition.title, count: s.countOwned(id) }))
        .filter((o) => o.count > 0);
    },
    remove(id, cascade) {
      const service = app();
      if (!service) throw new ConflictError("There is no Profiles app.");
      service.get(id);
      if (all().length <= 1) {
        throw new ConflictError(
          "Cardflow needs at least one profile: add another before deleting this one.",
        );
      }
      const owned = profiles.owned(id);
      if (owned.length > 0 && !cascade) return { removed: false, owned };
      const deleted = transaction(db, () => {
        for (const other of crud().all()) other.deleteOwned(id);
        return service.delete(id, "ui");
      });
      profiles.invalidate();
      profiles.ensureCurrent();
      // Only a profile that took nothing with it can be put back by its undo.
      return { removed: true, owned, ...(owned.length === 0 ? { deleted } : {}) };
    },
    ensureCurrent() {
      if (!app()) return;
      const id = store.get<number | null>(CURRENT_PROFILE, null);
      if (all().some((p) => p.id === id)) return;
      const first = all()[0];
      if (first) setCurrent(first.id);
    },
    invalidate() {
      cache = undefined;
    },
  };
  return profiles;
}
