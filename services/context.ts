/**
 * @module
 * The context a page was rendered for: which database (environment, and
 * which incarnation of it: a reset or a restore makes a new one) and which
 * profile. Every page carries it as a stamp; every write sends the stamp
 * back, and a write whose stamp no longer matches is refused with what
 * changed, so a stale tab can never write into a place it does not show.
 */

import type { Store } from "../lib/store.ts";
import type { Environment } from "./events.ts";

/** A write from a page whose context is gone; the message says what changed. */
export class ContextError extends Error {
  override name = "ContextError";
}

/** What changed the context: a switch of database, a reset, a restore, another profile. */
export type ContextChange = "switch" | "reset" | "restore" | "profile";

/** The context of one database. */
export interface Context {
  readonly environment: Environment;
  /** The stamp pages carry: environment, database incarnation, profile. */
  stamp(): string;
  /** Throw {@linkcode ContextError} unless `stamp` is today's. */
  check(stamp: string | null | undefined): void;
  /** "Development · profile Ada", for notices. */
  describe(): string;
  /** One sentence for pages that still show the old context: what happened, elsewhere. */
  explain(change: ContextChange): string;
  /** Give the database a new incarnation (after a restore). */
  renew(): void;
}

/** Where the incarnation id is kept. */
export const INSTANCE_KEY = "database.instance";

const NAMES: Record<Environment, string> = {
  development: "Development",
  production: "Production",
};

/** The context over `store` for `environment`; `profile` reads the current profile. */
export function createContext(
  store: Store,
  environment: Environment,
  profile: { current(): { id: number | null; name: string }; nameOf(id: number): string },
): Context {
  if (!store.has(INSTANCE_KEY)) store.set(INSTANCE_KEY, crypto.randomUUID().slice(0, 8));
  const instance = () => store.get<string>(INSTANCE_KEY, "");
  const reload = "Nothing was saved: reload the page to continue.";
  return {
    environment,
    stamp: () => `${environment}.${instance()}.${profile.current().id ?? 0}`,
    check(stamp) {
      const [env, id, profileId] = (stamp ?? "").split(".");
      if (!stamp || profileId === undefined) {
        throw new ContextError(
          `This request does not say which database and profile its page shows. ${reload}`,
        );
      }
      if (env !== environment) {
        const shown = NAMES[env as Environment] ?? env;
        throw new ContextError(
          `This page shows the ${shown} database, but Cardflow now uses ${
            NAMES[environment]
          } (switched in another tab or window). ${reload}`,
        );
      }
      if (id !== instance()) {
        throw new ContextError(
          `The ${
            NAMES[environment]
          } database was reset or restored since this page was opened. ${reload}`,
        );
      }
      const current = profile.current();
      if (Number(profileId) !== (current.id ?? 0)) {
        throw new ContextError(
          `This page was opened for the profile “${
            profile.nameOf(Number(profileId))
          }”, but the current profile is now “${current.name}”. ${reload}`,
        );
      }
    },
    describe: () => `${NAMES[environment]} · profile ${profile.current().name}`,
    explain(change) {
      const where = "in another tab or window";
      const name = profile.current().name;
      switch (change) {
        case "switch":
          return `Cardflow switched to the ${
            NAMES[environment]
          } database (profile “${name}”) ${where}.`;
        case "reset":
          return `The ${NAMES[environment]} database was reset ${where}.`;
        case "restore":
          return `A backup was restored into the ${NAMES[environment]} database ${where}.`;
        case "profile":
          return `The current profile is now “${name}” (chosen ${where}).`;
      }
    },
    renew: () => store.set(INSTANCE_KEY, crypto.randomUUID().slice(0, 8)),
  };
}
