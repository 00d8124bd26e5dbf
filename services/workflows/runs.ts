/**
 * @module
 * Runs in SQLite: one row per key in the `pipeline` table, the state as one
 * typed JSON blob (`pipeline/workflow/state.ts`) and a version number. Every
 * change reads the row, checks the version the browser saw, applies one pure
 * transition and writes it back, all in one transaction, so two tabs never
 * silently overwrite each other. Runs stored in an older format are upgraded
 * once, when the table is opened.
 */

import { type Db, transaction } from "../../lib/db.ts";
import { ConflictError, NotFoundError } from "../../lib/errors.ts";
import type { Logger } from "../../lib/log.ts";
import { defineTable, type Row } from "../../lib/table.ts";
import { type RunState, STATE_FORMAT, upgradeState } from "../../pipeline/workflow/state.ts";

const SCHEMA = {
  key: "text",
  workflow: "text",
  state: "json",
  created: "text",
  updated: "text",
  version: "int",
} as const;

/** A stored run. */
export type Run = Omit<Row<typeof SCHEMA>, "state"> & { state: RunState };

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

/** Runs of every workflow. */
export interface Runs {
  find(key: string): Run | undefined;
  /** The run `key`; throws NotFoundError. */
  get(key: string): Run;
  list(options?: { workflow?: string; limit?: number }): Run[];
  /** Create a run; a ConflictError when the key exists. */
  create(key: string, workflow: string, state: RunState): Run;
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
  /** Runs of `workflow` with a job still marked running. */
  withRunningJob(workflow: string): Run[];
}

/** The runs table over `db`, upgrading runs stored in older formats first. */
export function createRuns(db: Db, log?: Logger): Runs {
  const table = defineTable(db, "pipeline", SCHEMA, {
    pk: "key",
    log,
    indexes: [["workflow"], ["updated"]],
  });
  const upgraded = upgradeAll(db, log);
  if (upgraded > 0) log?.info(`upgraded ${upgraded} runs to state format ${STATE_FORMAT}`);
  const asRun = (row: Row<typeof SCHEMA>): Run => ({ ...row, state: upgradeState(row.state) });
  const running = db.prepare(
    `SELECT key FROM pipeline WHERE workflow = ? AND EXISTS
       (SELECT 1 FROM json_each(state, '$.jobs') WHERE json_extract(value, '$.status') = 'running')`,
  );

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
    list: ({ workflow, limit } = {}) =>
      table.list({ where: workflow ? { workflow } : {}, order: "-updated", limit }).map(asRun),
    create(key, workflow, state) {
      return transaction(db, () => {
        if (table.find(key)) throw new ConflictError(`The key "${key}" is taken.`);
        return asRun(table.insert({
          key,
          workflow,
          state,
          created: state.created,
          updated: state.updated,
          version: 1,
        }));
      });
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
        }));
      });
    },
    delete(key) {
      transaction(db, () => table.delete(key));
    },
    withRunningJob(workflow) {
      return (running.all(workflow) as { key: string }[]).map((r) => runs.get(r.key));
    },
  };
  return runs;
}

/** Upgrade every run stored in an older state format, in one transaction; how many were. */
function upgradeAll(db: Db, log?: Logger): number {
  const old = db.prepare(
    `SELECT key, state FROM pipeline WHERE json_extract(state, '$.format') IS NOT ${STATE_FORMAT}`,
  ).all() as { key: string; state: string }[];
  if (old.length === 0) return 0;
  const write = db.prepare("UPDATE pipeline SET state = ? WHERE key = ?");
  return transaction(db, () => {
    let count = 0;
    for (const row of old) {
      try {
        write.run(JSON.stringify(upgradeState(JSON.parse(row.state))), row.key);
        count++;
      } catch (error) {
        // A run nobody can read stays as it was; its page says so instead of failing start-up.
        log?.warn(`run ${row.key} could not be upgraded: ${(error as Error).message}`);
      }
    }
    return count;
  });
}
