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
  /** The state's format, so runs to upgrade are found by index, not by reading every blob. */
  format: "int",
  /** 1 while a job of the run is running, so interrupted jobs are found the same way. */
  running: "int",
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
    // Rows written before these columns existed are format 1 with no running job.
    defaults: { format: 1, running: 0 },
    indexes: [["workflow"], ["updated"], ["format"], ["workflow", "running"]],
  });
  const upgraded = upgradeAll(db, log);
  if (upgraded > 0) log?.info(`upgraded ${upgraded} runs to state format ${STATE_FORMAT}`);
  const asRun = ({ format: _f, running: _r, ...row }: Row<typeof SCHEMA>): Run => ({
    ...row,
    state: upgradeState(row.state),
  });

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
          ...columnsOf(state),
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
          ...columnsOf(state),
        }));
      });
    },
    delete(key) {
      transaction(db, () => table.delete(key));
    },
    withRunningJob(workflow) {
      return table.list({ where: { workflow, running: 1 } }).map(asRun);
    },
  };
  return runs;
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
