/**
 * @module
 * The pipeline state rules as a pure state machine: no I/O, no clock, so
 * every rule can be checked exhaustively. Submit clears forward; display
 * shows the past; refill only affects what a form shows; finalize locks.
 */

import type { FieldValue, StepValues, WorkflowDefinition } from "./define.ts";

/** The one JSON blob that binds a run: step values by id, plus its dates and lock. */
export interface RunState {
  [stepId: string]: Record<string, FieldValue> | string | boolean;
  created: string;
  updated: string;
  finalized: boolean;
}

/** A transition the rules refuse; `status` is the HTTP status to answer with. */
export class StateError extends Error {
  override name = "StateError";
  constructor(readonly status: 400 | 404 | 409, message: string) {
    super(message);
  }
}

/** A fresh run's state. */
export function initialState(now: string): RunState {
  return { created: now, updated: now, finalized: false };
}

/** Status of a step's job while it is not finished (`_status` in its values). */
export const JOB_PENDING = ["running", "interrupted", "failed"];

/** The values of completed steps, in step order (a step whose job is not done is not complete). */
export function completed(definition: WorkflowDefinition, state: RunState): StepValues {
  const out: StepValues = {};
  for (const step of definition.steps) {
    const values = state[step.id];
    if (values && typeof values === "object" && !JOB_PENDING.includes(String(values._status))) {
      out[step.id] = values;
    }
  }
  return out;
}

/** The first step without values, or null when every step is done. */
export function nextStep(definition: WorkflowDefinition, state: RunState): string | null {
  return definition.steps.find((s) => !(s.id in completed(definition, state)))?.id ?? null;
}

function indexOf(definition: WorkflowDefinition, stepId: string): number {
  const index = definition.steps.findIndex((s) => s.id === stepId);
  if (index === -1) {
    throw new StateError(404, `There is no step "${stepId}" in ${definition.title}.`);
  }
  return index;
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
      409,
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
      409,
      `This run is finalized, so it cannot ${action}. Unfinalize it first.`,
    );
  }
}

/** Store `values` for `stepId` and clear every later step — always, refill or not. */
export function submit(
  definition: WorkflowDefinition,
  state: RunState,
  stepId: string,
  values: Record<string, FieldValue>,
  now: string,
): RunState {
  checkUnlocked(state, "be changed");
  const index = checkReachable(definition, state, stepId);
  const next: RunState = { ...state, updated: now };
  for (const later of definition.steps.slice(index + 1)) delete next[later.id];
  next[stepId] = { ...values };
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
  if (state.finalized) throw new StateError(409, "This run is already finalized.");
  if (nextStep(definition, state) !== null) {
    throw new StateError(409, "Finish every step before finalizing.");
  }
  return { ...state, finalized: true, updated: now };
}

/** Unlock a finalized run with all its data intact. */
export function unfinalize(state: RunState, now: string): RunState {
  if (!state.finalized) throw new StateError(409, "This run is not finalized.");
  return { ...state, finalized: false, updated: now };
}

/** How each step shows: a completed card, the form, or nothing yet. */
export type StepView = "done" | "form" | "hidden";

/** The display rule: the past as cards, the first incomplete step (or the one being edited) as a form. */
export function view(
  definition: WorkflowDefinition,
  state: RunState,
  editing?: string,
): StepView[] {
  const done = completed(definition, state);
  const formAt = editing && !state.finalized
    ? indexOf(definition, editing)
    : definition.steps.findIndex((s) => !(s.id in done));
  return definition.steps.map((_step, i) => {
    if (formAt === -1) return "done";
    if (i < formAt) return "done";
    if (i === formAt) return state.finalized ? "hidden" : "form";
    return "hidden";
  });
}
