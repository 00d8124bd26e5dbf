/**
 * @module
 * Runs in SQLite: one row per key in the `pipeline` table, the state as one
 * JSON blob and a version number. Every change reads the row, checks the
 * version the browser saw, applies one pure transition and writes it back,
 * all in one transaction, so two tabs never silently overwrite each other.
 */

import { HTTPException } from "hono/http-exception";
import { type Db, transaction } from "../../lib/db.ts";
import type { Logger } from "../../lib/log.ts";
import { defineTable, type Row } from "../../lib/table.ts";
import type { RunState } from "./machine.ts";

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

/** Runs of every workflow. */
export interface Runs {
  find(key: string): Run | undefined;
  list(options?: { workflow?: string; limit?: number }): Run[];
  /** Create a run; a 409 when the key exists. */
  create(key: string, workflow: string, state: RunState): Run;
  /** Apply `change` to the state at `version`; a 409 when the version is stale. */
  update(key: string, version: number, change: (run: Run) => RunState): Run;
  delete(key: string): void;
  /** Runs of `workflow` with a job marked running (found without reading every run). */
  withRunningJob(workflow: string): Run[];
}

/** The runs table over `db`. */
export function createRuns(db: Db, log?: Logger): Runs {
  const table = defineTable(db, "pipeline", SCHEMA, {
    pk: "key",
    log,
    indexes: [["workflow"], ["updated"]],
  });
  const asRun = (row: Row<typeof SCHEMA>) => row as Run;
  return {
    find: (key) => {
      const row = table.find(key);
      return row ? asRun(row) : undefined;
    },
    list: ({ workflow, limit } = {}) =>
      table.list({ where: workflow ? { workflow } : {}, order: "-updated", limit }).map(asRun),
    create(key, workflow, state) {
      return transaction(db, () => {
        if (table.find(key)) {
          throw new HTTPException(409, { message: `The key "${key}" is taken.` });
        }
        return asRun(
          table.insert({
            key,
            workflow,
            state,
            created: state.created,
            updated: state.updated,
            version: 1,
          }),
        );
      });
    },
    update(key, version, change) {
      return transaction(db, () => {
        const run = asRun(table.get(key));
        if (run.version !== version) throw new HTTPException(409, { message: STALE });
        const state = change(run);
        return asRun(table.update(key, { state, updated: state.updated, version: version + 1 }));
      });
    },
    delete(key) {
      transaction(db, () => table.delete(key));
    },
    withRunningJob(workflow) {
      const keys = db.prepare(
        `SELECT key FROM pipeline WHERE workflow = ? AND state LIKE '%"_status":"running"%'`,
      ).all(workflow) as { key: string }[];
      return keys.map((k) => asRun(table.get(k.key)));
    },
  };
}
