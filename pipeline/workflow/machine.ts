/**
 * @module
 * The pipeline state rules as a pure state machine: no I/O, no clock, so
 * every rule can be checked exhaustively. Submit clears forward; display
 * shows the past; refill only affects what a form shows; finalize locks.
 * A job step is complete only once its job is done.
 */

import { NotFoundError } from "../../lib/errors.ts";
import type { StepSpec, StepValues, WorkflowDefinition } from "./define.ts";
import {
  initialState,
  type JobState,
  type JobStatus,
  type RunState,
  type StepData,
  UNFINISHED,
} from "./state.ts";

export { initialState } from "./state.ts";
export type { RunState } from "./state.ts";

/** Why the rules refuse a transition. */
export type StateProblem =
  | "locked"
  | "unreachable"
  | "incomplete"
  | "not-finalized"
  | "not-stopped";

/** A transition the rules refuse; the message says what to do instead. */
export class StateError extends Error {
  override name = "StateError";
  constructor(readonly problem: StateProblem, message: string) {
    super(message);
  }
}

/** A job wrote after its step was submitted again (or its run went): the write is dropped. */
export class SupersededError extends Error {
  override name = "SupersededError";
  constructor(readonly stepId: string) {
    super(`the job of step "${stepId}" was superseded`);
  }
}

/** Whether the step `stepId` of `state` is complete (a job step only once its job is done). */
function isComplete(state: RunState, stepId: string): boolean {
  if (!(stepId in state.steps)) return false;
  const job = state.jobs[stepId];
  return !job || !UNFINISHED.includes(job.status);
}

/** The values of completed steps, in step order. */
export function completed(definition: WorkflowDefinition, state: RunState): StepValues {
  const out: StepValues = {};
  for (const step of definition.steps) {
    if (isComplete(state, step.id)) out[step.id] = state.steps[step.id]!;
  }
  return out;
}

/** The first step that is not complete, or null when every step is done. */
export function nextStep(definition: WorkflowDefinition, state: RunState): string | null {
  return definition.steps.find((s) => !isComplete(state, s.id))?.id ?? null;
}

function indexOf(definition: WorkflowDefinition, stepId: string): number {
  const index = definition.steps.findIndex((s) => s.id === stepId);
  if (index === -1) {
    throw new NotFoundError(
      "steps",
      stepId,
      `There is no step "${stepId}" in ${definition.title}.`,
    );
  }
  return index;
}

/** The step `stepId` of `definition`; a NotFoundError when it has none. */
export function stepOf(definition: WorkflowDefinition, stepId: string): StepSpec {
  return definition.steps[indexOf(definition, stepId)]!;
}

/** Refuse unless `stepId` is a completed step or the first incomplete one. */
export function checkReachable(
  definition: WorkflowDefinition,
  state: RunState,
  stepId: string,
): number {
  const index = indexOf(definition, stepId);
  const next = nextStep(definition, state);
  const limit = next === null ? definition.steps.length - 1 : indexOf(definition, next);
  if (index > limit) {
    throw new StateError(
      "unreachable",
      `Step "${
        definition.steps[index]!.label
      }" cannot be reached yet: finish the steps before it first.`,
    );
  }
  return index;
}

function checkUnlocked(state: RunState, action: string): void {
  if (state.finalized) {
    throw new StateError(
      "locked",
      `This run is finalized, so it cannot ${action}. Unfinalize it first.`,
    );
  }
}

/**
 * Store `values` for `stepId` and clear every later step and its job —
 * always, refill or not. A job step starts its job (`jobId`) here too.
 */
export function submit(
  definition: WorkflowDefinition,
  state: RunState,
  stepId: string,
  values: StepData,
  now: string,
  jobId?: string,
): RunState {
  checkUnlocked(state, "be changed");
  const index = checkReachable(definition, state, stepId);
  const steps = { ...state.steps, [stepId]: { ...values } };
  const jobs = { ...state.jobs };
  delete jobs[stepId];
  for (const later of definition.steps.slice(index + 1)) {
    delete steps[later.id];
    delete jobs[later.id];
  }
  if (jobId) jobs[stepId] = { id: jobId, status: "running", progress: 0, total: 0, started: now };
  const next: RunState = { ...state, steps, jobs, updated: now };
  if (state.prefill && stepId in state.prefill) {
    const { [stepId]: _used, ...rest } = state.prefill;
    if (Object.keys(rest).length > 0) next.prefill = rest;
    else delete next.prefill;
  }
  return next;
}

/**
 * Start a stopped job again (failed, interrupted or cancelled) as `jobId`,
 * with the values its step already holds. A running or finished job is
 * refused: submit the step again to redo finished work.
 */
export function jobRetry(
  definition: WorkflowDefinition,
  state: RunState,
  stepId: string,
  jobId: string,
  now: string,
): RunState {
  checkUnlocked(state, "be changed");
  checkReachable(definition, state, stepId);
  const job = state.jobs[stepId];
  if (!job || job.status === "running" || job.status === "done") {
    throw new StateError(
      "not-stopped",
      job?.status === "running"
        ? "This work is still running."
        : "There is no stopped work to run again here.",
    );
  }
  const inputs = state.steps[stepId] ?? {};
  return submit(definition, state, stepId, inputs, now, jobId);
}

/**
 * A new run's state with the completed steps of `state` up to and including
 * `lastStepId` (their values and finished jobs); nothing after it, not
 * finalized. "Run again" with the same inputs.
 */
export function cloneState(
  definition: WorkflowDefinition,
  state: RunState,
  lastStepId: string,
  now: string,
): RunState {
  const last = indexOf(definition, lastStepId);
  const done = completed(definition, state);
  const next = initialState(now);
  for (const step of definition.steps.slice(0, last + 1)) {
    const values = done[step.id];
    if (!values) {
      throw new StateError(
        "incomplete",
        `Step "${step.label}" is not done in this run, so it cannot be copied.`,
      );
    }
    next.steps[step.id] = structuredClone(values);
    const job = state.jobs[step.id];
    if (job) next.jobs[step.id] = { ...job, started: now, finished: now };
  }
  return next;
}

/**
 * Check that the run may show `stepId`'s form again. Reverting changes no
 * data: later steps are cleared only when that step is submitted again.
 */
export function revert(
  definition: WorkflowDefinition,
  state: RunState,
  stepId: string,
): { editing: string } {
  checkUnlocked(state, "be reverted");
  checkReachable(definition, state, stepId);
  return { editing: stepId };
}

/** Lock a run whose steps are all done. */
export function finalize(definition: WorkflowDefinition, state: RunState, now: string): RunState {
  if (state.finalized) throw new StateError("locked", "This run is already finalized.");
  if (nextStep(definition, state) !== null) {
    throw new StateError("incomplete", "Finish every step before finalizing.");
  }
  return { ...state, finalized: true, updated: now };
}

/** Unlock a finalized run with all its data intact. */
export function unfinalize(state: RunState, now: string): RunState {
  if (!state.finalized) throw new StateError("not-finalized", "This run is not finalized.");
  return { ...state, finalized: false, updated: now };
}

function ownJob(state: RunState, stepId: string, jobId: string): JobState {
  const job = state.jobs[stepId];
  if (!job || job.id !== jobId || job.status !== "running") throw new SupersededError(stepId);
  return job;
}

/** Record a running job's progress; a superseded job gets {@linkcode SupersededError}. */
export function jobProgress(
  state: RunState,
  stepId: string,
  jobId: string,
  progress: { done: number; total: number; note?: string },
): RunState {
  const job = ownJob(state, stepId, jobId);
  const next: JobState = { ...job, progress: progress.done, total: progress.total };
  if (progress.note !== undefined) next.note = progress.note;
  return { ...state, jobs: { ...state.jobs, [stepId]: next } };
}

/** Finish a job: its result joins the step's values and the step is complete. */
export function jobDone(
  state: RunState,
  stepId: string,
  jobId: string,
  result: StepData,
  now: string,
): RunState {
  const job = ownJob(state, stepId, jobId);
  return {
    ...state,
    steps: { ...state.steps, [stepId]: { ...state.steps[stepId], ...result } },
    jobs: {
      ...state.jobs,
      [stepId]: { ...job, status: "done", progress: job.total || job.progress, finished: now },
    },
    updated: now,
  };
}

/** Stop a job short: failed, interrupted by a restart, or cancelled by the person. */
export function jobStopped(
  state: RunState,
  stepId: string,
  jobId: string,
  status: Exclude<JobStatus, "running" | "done">,
  note: string,
  now: string,
): RunState {
  const job = ownJob(state, stepId, jobId);
  return {
    ...state,
    jobs: { ...state.jobs, [stepId]: { ...job, status, note, finished: now } },
    updated: now,
  };
}

/** How each step shows: a completed card, the form, a job's card, or nothing yet. */
export type StepView = "done" | "form" | "job" | "hidden";

/** The display rule: the past as cards, the first incomplete step (or the one being edited) as a form. */
export function view(
  definition: WorkflowDefinition,
  state: RunState,
  editing?: string,
): StepView[] {
  const formAt = editing && !state.finalized
    ? indexOf(definition, editing)
    : definition.steps.findIndex((s) => !isComplete(state, s.id));
  return definition.steps.map((step, i) => {
    if (formAt === -1 || i < formAt) return "done";
    if (i > formAt) return "hidden";
    if (state.finalized) return "hidden";
    return !editing && step.id in state.steps && state.jobs[step.id] ? "job" : "form";
  });
}
