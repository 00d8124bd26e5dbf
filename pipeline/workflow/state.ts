/**
 * @module
 * The one JSON blob that binds a run, typed and versioned: step values by
 * step id, the state of each step's long-running job, the run's dates and its
 * lock. {@linkcode upgradeState} reads every format Cardflow ever wrote.
 */

import type { FieldValue, StepData } from "./define.ts";

export type { StepData } from "./define.ts";

/** The format written today. */
export const STATE_FORMAT = 2;

/** Where a step's job is. Only "done" completes its step. */
export type JobStatus = "running" | "done" | "failed" | "interrupted" | "cancelled";

/** The job statuses that leave a step unfinished. */
export const UNFINISHED: readonly JobStatus[] = ["running", "failed", "interrupted", "cancelled"];

/** A step's long-running job. */
export interface JobState {
  /** Changes on every start, so a superseded job cannot write into its successor. */
  id: string;
  status: JobStatus;
  progress: number;
  total: number;
  /** What is being done now ("12 of 40: https://…"), or why it stopped. */
  note?: string;
  started: string;
  finished?: string;
}

/** Values a start link put in a step's form, as typed (not yet submitted or checked). */
export type Prefill = Record<string, string | string[]>;

/** A run's state. */
export interface RunState {
  format: typeof STATE_FORMAT;
  /** Values of submitted steps, by step id. */
  steps: Record<string, StepData>;
  /** Jobs of job steps, by step id. */
  jobs: Record<string, JobState>;
  created: string;
  updated: string;
  finalized: boolean;
  /**
   * Values a start link (`/<workflow>/start?step.field=…`) offered for later
   * steps' forms, by step id; a step's entry goes when it is submitted.
   */
  prefill?: Record<string, Prefill>;
}

/** A fresh run's state. */
export function initialState(now: string): RunState {
  return {
    format: STATE_FORMAT,
    steps: {},
    jobs: {},
    created: now,
    updated: now,
    finalized: false,
  };
}

const FLAT_DATES = ["created", "updated", "finalized"];
const FLAT_JOB_KEYS = ["_status", "_progress", "_total", "_job", "_note"];
const STATUSES: readonly JobStatus[] = ["running", "done", "failed", "interrupted", "cancelled"];

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Whether `stored` is a state in today's format. */
function isCurrent(stored: Record<string, unknown>): stored is Record<string, unknown> & RunState {
  return stored.format === STATE_FORMAT && isObject(stored.steps) && isObject(stored.jobs) &&
    typeof stored.created === "string" && typeof stored.updated === "string" &&
    typeof stored.finalized === "boolean";
}

/**
 * Read a stored state in any format: today's, or format 1 (Cardflow 0.1),
 * where step ids sat beside `created`/`updated`/`finalized` and a job's state
 * hid in its step's values as `_status`, `_progress`, `_total`, `_job` and
 * `_note`. Throws on something that is no run state at all.
 */
export function upgradeState(stored: unknown): RunState {
  if (!isObject(stored)) throw new TypeError("a run state must be a JSON object");
  if (isCurrent(stored)) return stored;
  if (stored.format !== undefined) {
    throw new TypeError(`run state format ${String(stored.format)} is newer than this Cardflow`);
  }
  const now = typeof stored.updated === "string" ? stored.updated : new Date(0).toISOString();
  const state = initialState(typeof stored.created === "string" ? stored.created : now);
  state.updated = now;
  state.finalized = stored.finalized === true;
  for (const [id, value] of Object.entries(stored)) {
    if (FLAT_DATES.includes(id) || !isObject(value)) continue;
    const values: StepData = {};
    for (const [name, v] of Object.entries(value)) {
      if (!FLAT_JOB_KEYS.includes(name)) values[name] = v as FieldValue;
    }
    state.steps[id] = values;
    if (typeof value._status === "string") {
      const status = STATUSES.includes(value._status as JobStatus)
        ? value._status as JobStatus
        : "failed";
      state.jobs[id] = {
        id: typeof value._job === "string" ? value._job : crypto.randomUUID(),
        status,
        progress: Number(value._progress ?? 0) || 0,
        total: Number(value._total ?? 0) || 0,
        ...(typeof value._note === "string" ? { note: value._note } : {}),
        started: state.updated,
        ...(status === "running" ? {} : { finished: state.updated }),
      };
    }
  }
  return state;
}
