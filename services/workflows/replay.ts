/**
 * @module
 * A run's export file read back: the values it may hold, and its steps
 * replayed one by one through today's definition — every field parsed as a
 * person's submit is, every transition made by `machine.ts` — so an import
 * obeys exactly the rules a submit does. The first problem is named; nothing
 * here writes.
 */

import { ValidationError } from "../../lib/errors.ts";
import {
  fieldsOf,
  type FileRef,
  type StepData,
  type ValidateContext,
  type WorkflowDefinition,
} from "../../pipeline/workflow/define.ts";
import * as machine from "../../pipeline/workflow/machine.ts";
import type { RunState } from "../../pipeline/workflow/state.ts";
import { inputOf, isRefusal, parseStep, type StepInput } from "../../pipeline/workflow/values.ts";

/** Whether `value` is a plain object (not null, not a list). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Whether `value` has the shape of a file a run keeps. */
export function isFileRef(value: unknown): value is FileRef {
  return isObject(value) && typeof value.name === "string" && typeof value.bytes === "number" &&
    typeof value.original === "string" && typeof value.type === "string";
}

/** A stored value of a kind the run state holds (text, number, yes/no, lists, rows). */
function isStoredValue(value: unknown): boolean {
  if (["string", "number", "boolean"].includes(typeof value)) {
    return typeof value !== "number" || Number.isFinite(value);
  }
  if (!Array.isArray(value)) return false;
  return value.every((item) =>
    typeof item === "string" ||
    (isObject(item) &&
      Object.values(item).every((cell) =>
        cell === null || ["string", "number", "boolean"].includes(typeof cell)
      ))
  );
}

/** Refuse an import with `problem` as the reason. */
export function refuseImport(problem: string): never {
  throw new ValidationError("pipeline", undefined, `This file cannot be imported: ${problem}`);
}

/** Replay the exported steps through today's checks and state rules. */
export function replay(
  definition: WorkflowDefinition,
  data: Record<string, unknown>,
  options: { bytes: Map<string, Uint8Array<ArrayBuffer>>; net: ValidateContext; now: string },
): RunState {
  const { bytes, net, now } = options;
  const steps = data.steps;
  if (!isObject(steps)) refuseImport("it has no steps.");
  const jobs = isObject(data.jobs) ? data.jobs : {};
  for (const id of Object.keys(steps)) {
    if (!definition.steps.some((s) => s.id === id)) {
      refuseImport(`its step "${id}" is not a step of ${definition.title} today.`);
    }
  }
  let state = machine.initialState(now);
  let stopped: string | undefined;
  for (const step of definition.steps) {
    const exported = steps[step.id];
    if (exported === undefined) {
      stopped ??= step.label;
      continue;
    }
    if (stopped !== undefined) {
      refuseImport(`step "${step.label}" is there but "${stopped}" before it is not.`);
    }
    if (!isObject(exported)) refuseImport(`step "${step.label}" holds no values.`);
    for (const [name, value] of Object.entries(exported)) {
      if (!isStoredValue(value)) {
        refuseImport(`step "${step.label}": "${name}" is not a value Cardflow keeps.`);
      }
    }
    const input: StepInput = inputOf(step, exported as StepData);
    for (const field of fieldsOf(step)) {
      if (field.kind !== "file" && field.kind !== "files") continue;
      const value = exported[field.name];
      const names = field.kind === "file"
        ? (typeof value === "string" ? [value] : [])
        : (Array.isArray(value) ? value.filter(isFileRef).map((r) => r.name) : []);
      const list: File[] = [];
      for (const name of names) {
        const content = bytes.get(name);
        if (!content) refuseImport(`step "${step.label}": the file ${name} is not in it.`);
        list.push(new File([content], name));
      }
      input[field.name] = list;
    }
    const parsed = parseStep(step, input, machine.completed(definition, state), net);
    if (isRefusal(parsed)) {
      const first = parsed.message ?? Object.values(parsed.errors)[0] ?? "its values are refused";
      refuseImport(`step "${step.label}": ${first}`);
    }
    const values: StepData = { ...(exported as StepData) };
    for (const field of fieldsOf(step)) {
      const kind = field.kind;
      if (kind === "file" || kind === "files") continue;
      if (field.name in parsed.values) values[field.name] = parsed.values[field.name]!;
      else delete values[field.name];
    }
    for (const [name, value] of Object.entries(parsed.values)) {
      if (!fieldsOf(step).some((f) => f.name === name)) values[name] = value;
    }
    const jobId = step.job ? crypto.randomUUID() : undefined;
    state = machine.submit(definition, state, step.id, values, now, jobId);
    if (jobId) {
      const job = isObject(jobs[step.id]) ? jobs[step.id] as Record<string, unknown> : {};
      if (job.status === "done") {
        state = machine.jobDone(state, step.id, jobId, {}, now);
        const progress = Number(job.progress) || 0;
        const total = Number(job.total) || 0;
        state.jobs[step.id] = {
          ...state.jobs[step.id]!,
          progress,
          total,
          ...(typeof job.note === "string" ? { note: job.note.slice(0, 300) } : {}),
        };
      } else {
        state = machine.jobStopped(
          state,
          step.id,
          jobId,
          "interrupted",
          "This work had not finished when the run was exported.",
          now,
        );
        stopped = step.label;
      }
    }
  }
  if (data.finalized === true) {
    try {
      state = machine.finalize(definition, state, now);
    } catch {
      refuseImport("it says finalized, but not every step is done.");
    }
  }
  for (const date of ["created", "updated"] as const) {
    const value = data[date];
    if (typeof value === "string" && !isNaN(Date.parse(value))) state[date] = value;
  }
  return state;
}
