/**
 * @module
 * The current profile, kept in the store. The Profiles app sets it; workflow
 * keys (`<profile>-<workflow>-<NN>`), scoped CRUD apps and the chat read it.
 */

import type { Store } from "./store.ts";

/** The profile everything is scoped to right now. */
export interface CurrentProfile {
  /** The Profiles record id; null before any profile exists. */
  id: number | null;
  name: string;
}

/** Store keys, shared by the reader and the Profiles app. */
export const PROFILE_KEYS = { id: "profile.current.id", name: "profile.current.name" } as const;

/** Read the current profile. */
export function currentProfile(store: Store): CurrentProfile {
  return {
    id: store.get<number | null>(PROFILE_KEYS.id, null),
    name: store.get<string>(PROFILE_KEYS.name, "Default"),
  };
}

/** Make `profile` the current one. */
export function setCurrentProfile(store: Store, profile: { id: number; name: string }): void {
  store.set(PROFILE_KEYS.id, profile.id);
  store.set(PROFILE_KEYS.name, profile.name);
}
