/**
 * @module
 * Runs in SQLite: one row per key in the `pipeline` table, the state as one
 * typed JSON blob (`pipeline/workflow/state.ts`) and a version number. Every
 * change reads the row, checks the version the browser saw, applies one pure
 * transition and writes it back, all in one transaction, so two tabs never
 * silently overwrite each other. Runs stored in an older format are upgraded
 * once, when the table is opened.
 */

import type { StatementSync } from "node:sqlite";
import { type Db, transaction } from "../../lib/db.ts";
import { ConflictError, NotFoundError } from "../../lib/errors.ts";
import type { Logger } from "../../lib/log.ts";
import { defineTable, type Row, storedColumns } from "../../lib/table.ts";
import { keyPrefix, slugify, suggestKey } from "../../pipeline/workflow/keys.ts";
import { type RunState, STATE_FORMAT, upgradeState } from "../../pipeline/workflow/state.ts";

const SCHEMA = {
  key: "text",
  workflow: "text",
  state: "json",
  created: "text",
  updated: "text",
  version: "int",
  /** The state's format, so runs to upgrade are found by index, not by reading every blob. */
  format: "int",
  /** 1 while a job of the run is running, so interrupted jobs are found the same way. */
  running: "int",
  /** The profile the run belongs to; null for runs from before profiles owned runs, unmatched. */
  profile_id: "int?",
} as const;

/** A stored run. */
export type Run = Omit<Row<typeof SCHEMA>, "state" | "format" | "running"> & { state: RunState };

/** The indexed columns that follow a state. */
function columnsOf(state: RunState): { format: number; running: number } {
  return {
    format: state.format,
    running: Object.values(state.jobs).some((j) => j.status === "running") ? 1 : 0,
  };
}

/** The message a stale write gets. */
export const STALE =
  "This run changed in another tab or window since you opened it. Reload to see the latest, then try again.";

/** Options for {@linkcode Runs.update}. */
export interface UpdateOptions {
  /**
   * Count the change as a new version (the default). A job's progress does
   * not, so a page drawn before it can still submit.
   */
  bump?: boolean;
}

/** Filters for {@linkcode Runs.list}. */
export interface RunFilter {
  workflow?: string;
  /**
   * A profile's id: its runs and the runs of no profile (which show under
   * every profile). `null`: only runs of no profile. Omitted: every run.
   */
  profile?: number | null;
  /** With `profile` set to an id: leave out the runs of no profile. */
  strict?: boolean;
  limit?: number;
}

/** Runs of every workflow. */
export interface Runs {
  find(key: string): Run | undefined;
  /** The run `key`; throws NotFoundError. */
  get(key: string): Run;
  /** Runs, most recently updated first. */
  list(filter?: RunFilter): Run[];
  /** Create a run; a ConflictError when the key exists. */
  create(key: string, workflow: string, state: RunState, profile?: number | null): Run;
  /**
   * Hold `key` for a run made in two steps (its files, then its row): until
   * the returned function releases it, holding it again is a ConflictError,
   * so two imports to one key never write, or clean up, each other's files.
   */
  hold(key: string): () => void;
  /**
   * Apply `change` to the state at `version` (null: whatever is stored); a
   * ConflictError when the version is stale.
   */
  update(
    key: string,
    version: number | null,
    change: (run: Run) => RunState,
    options?: UpdateOptions,
  ): Run;
  delete(key: string): void;
  /** Delete several runs in one transaction; NotFoundError (and nothing deleted) for a missing key. */
  deleteMany(keys: readonly string[]): Run[];
  /** Runs of `workflow` with a job still marked running. */
  withRunningJob(workflow: string): Run[];
  /** The keys that start with `prefix`, read from the key's index (no run is loaded). */
  keysStartingWith(prefix: string): ReadonlySet<string>;
}

/** Options for {@linkcode createRuns}. */
export interface RunsOptions {
  log?: Logger;
  /**
   * Every profile, for runs written before runs had one: when the column is
   * added, a run whose key starts with a profile's slugified name and "-"
   * (as suggested keys do) goes to that profile; the others stay unassigned.
   */
  profiles?: readonly { id: number; name: string }[];
}

/** The runs table over `db`, upgrading runs stored in older formats first. */
export function createRuns(db: Db, options: RunsOptions = {}): Runs {
  const { log } = options;
  const hadProfiles = storedColumns(db, "pipeline").some((c) => c.name === "profile_id");
  const isNew = storedColumns(db, "pipeline").length === 0;
  const table = defineTable(db, "pipeline", SCHEMA, {
    pk: "key",
    log,
    // Rows written before these columns existed are format 1 with no running job.
    defaults: { format: 1, running: 0 },
    indexes: [["workflow"], ["updated"], ["format"], ["workflow", "running"], ["profile_id"]],
  });
  if (!hadProfiles && !isNew && options.profiles?.length) {
    const assigned = assignProfiles(db, options.profiles);
    if (assigned > 0) log?.info(`assigned ${assigned} older runs to profiles by their keys`);
  }
  const upgraded = upgradeAll(db, log);
  if (upgraded > 0) log?.info(`upgraded ${upgraded} runs to state format ${STATE_FORMAT}`);
  const asRun = ({ format: _f, running: _r, ...row }: Row<typeof SCHEMA>): Run => ({
    ...row,
    state: upgradeState(row.state),
  });

  let keysFrom: StatementSync | undefined;
  // Keys by prefix, read once and kept until a run is made or deleted (a run page offers a key
  // on every view). A rolled-back create only makes a suggestion skip a number.
  const keysByPrefix = new Map<string, ReadonlySet<string>>();
  // Keys being made right now (see `hold`); they live as long as this database's services.
  const held = new Set<string>();

  const runs: Runs = {
    find(key) {
      const row = table.find(key);
      return row ? asRun(row) : undefined;
    },
    get(key) {
      const run = runs.find(key);
      if (!run) throw new NotFoundError("pipeline", key, `There is no run with the key "${key}".`);
      return run;
    },
    list({ workflow, profile, strict, limit } = {}) {
      const base = workflow ? { workflow } : {};
      const query = (where: Partial<Row<typeof SCHEMA>>) =>
        table.list({ where: { ...base, ...where }, order: "-updated", limit });
      if (profile === undefined) return query({}).map(asRun);
      if (profile === null || strict) return query({ profile_id: profile }).map(asRun);
      const merged = [...query({ profile_id: profile }), ...query({ profile_id: null })]
        .sort((a, b) => b.updated.localeCompare(a.updated));
      return merged.slice(0, limit ?? merged.length).map(asRun);
    },
    create(key, workflow, state, profile = null) {
      return transaction(db, () => {
        if (table.find(key)) throw new ConflictError(`The key "${key}" is taken.`);
        keysByPrefix.clear();
        return asRun(table.insert({
          key,
          workflow,
          state,
          created: state.created,
          updated: state.updated,
          version: 1,
          profile_id: profile,
          ...columnsOf(state),
        }));
      });
    },
    hold(key) {
      if (held.has(key)) {
        throw new ConflictError(
          `The key "${key}" is taken: a run with it is being made right now.`,
        );
      }
      held.add(key);
      return function release() {
        held.delete(key);
      };
    },
    update(key, version, change, { bump = true } = {}) {
      return transaction(db, () => {
        const run = runs.get(key);
        if (version !== null && run.version !== version) throw new ConflictError(STALE);
        const state = change(run);
        return asRun(table.update(key, {
          state,
          updated: state.updated,
          version: bump ? run.version + 1 : run.version,
          ...columnsOf(state),
        }));
      });
    },
    delete(key) {
      keysByPrefix.clear();
      transaction(db, () => table.delete(key));
    },
    deleteMany(keys) {
      return transaction(db, () =>
        keys.map((key) => {
          const run = runs.get(key);
          keysByPrefix.clear();
          table.delete(key);
          return run;
        }));
    },
    withRunningJob(workflow) {
      return table.list({ where: { workflow, running: 1 } }).map(asRun);
    },
    keysStartingWith(prefix) {
      // Keys hold only characters below U+007F (KEY_PATTERN), so this range is exactly the prefix.
      const kept = keysByPrefix.get(prefix);
      if (kept) return kept;
      keysFrom ??= db.prepare('SELECT "key" FROM pipeline WHERE "key" >= ? AND "key" < ?');
      const rows = keysFrom.all(prefix, prefix + "\x7f") as { key: string }[];
      const keys = new Set(rows.map((r) => r.key));
      if (keysByPrefix.size > 100) keysByPrefix.clear();
      keysByPrefix.set(prefix, keys);
      return keys;
    },
  };
  return runs;
}

/**
 * The next free key for `profile` and `workflow`: one read of the keys with
 * its prefix, so a page that offers a key costs the same with 1 run or 1,000.
 */
export function suggestFreeKey(profile: string, workflow: string, runs: Runs): string {
  const taken = runs.keysStartingWith(keyPrefix(profile, workflow));
  return suggestKey(profile, workflow, (key) => taken.has(key));
}

/** Give runs of no profile the profile their key starts with; how many were given one. */
function assignProfiles(db: Db, profiles: readonly { id: number; name: string }[]): number {
  // The longest slug first, so "ada-l-…" goes to "Ada L" rather than "Ada".
  const slugs = profiles.map((p) => ({ id: p.id, prefix: `${slugify(p.name)}-` }))
    .sort((a, b) => b.prefix.length - a.prefix.length);
  const rows = db.prepare("SELECT key FROM pipeline WHERE profile_id IS NULL").all() as {
    key: string;
  }[];
  const write = db.prepare("UPDATE pipeline SET profile_id = ? WHERE key = ?");
  return transaction(db, () => {
    let count = 0;
    for (const { key } of rows) {
      const match = slugs.find((s) => key.startsWith(s.prefix));
      if (!match) continue;
      write.run(match.id, key);
      count++;
    }
    return count;
  });
}

/** Upgrade every run stored in an older state format, in one transaction; how many were. */
function upgradeAll(db: Db, log?: Logger): number {
  const old = db.prepare(`SELECT key, state FROM pipeline WHERE format < ${STATE_FORMAT}`)
    .all() as { key: string; state: string }[];
  if (old.length === 0) return 0;
  const write = db.prepare(
    "UPDATE pipeline SET state = ?, format = ?, running = ? WHERE key = ?",
  );
  return transaction(db, () => {
    let count = 0;
    for (const row of old) {
      try {
        const state = upgradeState(JSON.parse(row.state));
        const { format, running } = columnsOf(state);
        write.run(JSON.stringify(state), format, running, row.key);
        count++;
      } catch (error) {
        // A run nobody can read stays as it was; its page says so instead of failing start-up.
        log?.warn(`run ${row.key} could not be upgraded: ${(error as Error).message}`);
      }
    }
    return count;
  });
}
