/**
 * @module
 * One workflow's operations: start or resume a run by key, submit a step,
 * finalize and unfinalize, and what each step shows. This is where a step
 * submit is validated — the run's version, the state rules, each field's
 * value — for the buttons and the assistant alike; the write itself is one
 * pure transition from `machine.ts` in one transaction.
 */

import type { Bus } from "../../lib/bus.ts";
import { ConflictError, NotFoundError } from "../../lib/errors.ts";
import type { Logger } from "../../lib/log.ts";
import {
  fieldLabelOf,
  type FieldValue,
  type StepSpec,
  type StepValues,
  type WorkflowDefinition,
} from "../../pipeline/workflow/define.ts";
import { keyProblem, suggestKey } from "../../pipeline/workflow/keys.ts";
import * as machine from "../../pipeline/workflow/machine.ts";
import type { JobState, RunState, StepData } from "../../pipeline/workflow/state.ts";
import { parseStep } from "../../pipeline/workflow/values.ts";
import type { LoadedPlugin } from "../../pipeline/plugin.ts";
import type { PipelineEvent, ServiceEvents, Source } from "../events.ts";
import type { Files, StoredFile } from "./files.ts";
import { createJobs, type Jobs } from "./jobs.ts";
import { type Run, type Runs, STALE } from "./runs.ts";

/** A submitted form's fields: text, or a file. */
export type StepInput = Record<string, string | File | undefined>;

/** What a submit did: the run, or the message to show beside the step's field. */
export type SubmitResult =
  | { ok: true; run: Run }
  | { ok: false; step: StepSpec; error: string; value?: FieldValue; version: number };

/** What one step of a run shows, for the engine to render. */
export interface StepPlan {
  step: StepSpec;
  view: machine.StepView;
  run: Run;
  /** The completed step's values ("done"). */
  values?: StepData;
  /** The value a form starts with: the previous one (refill) or the suggestion. */
  value?: FieldValue;
  /** The step's job, if it has one. */
  job?: JobState;
  /** The step after this one, or null when this is the last. */
  next: StepSpec | null;
}

/** The operations of one workflow. */
export interface WorkflowService {
  readonly slug: string;
  readonly definition: WorkflowDefinition;
  /** Recent runs with where each one is. */
  summaries(limit?: number): { key: string; status: string; updated: string }[];
  /** The run `key` of this workflow; throws NotFoundError. */
  load(key: string): Run;
  /** The next free key for the current profile. */
  suggestKey(): string;
  /** Start the run `key`, or resume it when it exists. */
  start(key: string, source: Source): { run: Run; created: boolean };
  /** Validate and store a step (clearing every later one); starts its job if it has one. */
  submit(
    key: string,
    stepId: string,
    version: number,
    input: StepInput,
    source: Source,
  ): Promise<SubmitResult>;
  finalize(key: string, version: number, source: Source): Run;
  unfinalize(key: string, version: number, source: Source): Run;
  /**
   * Put run `key` back to `state` (delete it when `state` is null) if it is
   * still at `version`: the undo of a start or a submit. A run changed since
   * is a ConflictError and stays as it is.
   */
  restore(key: string, state: RunState | null, version: number, source: Source): string;
  /** Check that `stepId` may be shown as a form again (reverting writes nothing). */
  checkRevert(key: string, stepId: string): Run;
  /** What step `stepId` of run `key` shows, with `editing` the step being reverted. */
  plan(key: string, stepId: string, editing?: string): StepPlan;
}

/** What a workflow service needs. */
export interface WorkflowEnv {
  runs: Runs;
  files: Files;
  bus: Bus<ServiceEvents>;
  log: Logger;
  signal: AbortSignal;
  /** The current profile's name, for suggested keys. */
  profileName(): string;
}

/** A short status for lists: the current step's label, "complete" or "finalized". */
export function runStatus(definition: WorkflowDefinition | undefined, run: Run): string {
  if (!definition) return "unknown workflow";
  if (run.state.finalized) return "finalized";
  const next = machine.nextStep(definition, run.state);
  return next === null ? "complete" : `at ${definition.steps.find((s) => s.id === next)!.label}`;
}

/** Create the service of the workflow `plugin`; marks jobs a previous process left running. */
export function createWorkflowService(
  env: WorkflowEnv,
  plugin: LoadedPlugin<WorkflowDefinition>,
): WorkflowService {
  const { definition, slug } = plugin;
  const { runs, files } = env;
  const now = () => new Date().toISOString();
  const emit = (event: Omit<PipelineEvent, "workflow">) =>
    env.bus.emit("pipeline", { workflow: slug, ...event });
  const jobs: Jobs = createJobs({
    runs,
    definition,
    slug,
    log: env.log,
    emit,
    now,
    signal: env.signal,
  });
  if (definition.steps.some((s) => s.job)) {
    const interrupted = jobs.recover();
    if (interrupted) env.log.info(`${slug}: marked ${interrupted} interrupted jobs`);
  }

  function load(key: string): Run {
    const problem = keyProblem(key);
    const run = problem ? undefined : runs.find(key);
    if (!run || run.workflow !== slug) {
      throw new NotFoundError(
        "pipeline",
        key,
        problem ?? `There is no ${definition.title} run with the key "${key}".`,
      );
    }
    return run;
  }

  function stepOf(stepId: string): StepSpec {
    const step = definition.steps.find((s) => s.id === stepId);
    if (!step) {
      throw new NotFoundError(
        "steps",
        stepId,
        `There is no step "${stepId}" in ${definition.title}.`,
      );
    }
    return step;
  }

  /** A field's raw input: text as sent, a file checked for presence and size. */
  function readField(
    step: StepSpec,
    input: StepInput,
  ): { raw?: string; file?: File } | { error: string } {
    const field = step.field;
    const label = fieldLabelOf(step);
    const value = input[field.name];
    if (field.kind !== "file") {
      if (value instanceof File) return { error: `${label} takes text, not a file.` };
      return { raw: value };
    }
    if (!(value instanceof File) || value.name === "") return { error: `${label}: choose a file.` };
    const max = field.maxBytes ?? 256 * 1024;
    if (value.size > max) {
      return { error: `${label} is too large: at most ${Math.round(max / 1024)} KiB.` };
    }
    return { raw: value.name, file: value };
  }

  function transition(
    key: string,
    version: number,
    operation: "finalize" | "unfinalize",
    source: Source,
  ): Run {
    const run = runs.update(
      load(key).key,
      version,
      (current) =>
        operation === "finalize"
          ? machine.finalize(definition, current.state, now())
          : machine.unfinalize(current.state, now()),
    );
    emit({ key: run.key, operation, source });
    return run;
  }

  return {
    slug,
    definition,
    summaries(limit = 50) {
      return runs.list({ workflow: slug, limit }).map((r) => ({
        key: r.key,
        status: runStatus(definition, r),
        updated: r.updated,
      }));
    },
    load,
    suggestKey: () => suggestKey(env.profileName(), slug, (k) => runs.find(k) !== undefined),
    start(key, source) {
      const problem = keyProblem(key);
      if (problem) throw new NotFoundError("pipeline", key, problem);
      const existing = runs.find(key);
      if (existing && existing.workflow !== slug) {
        throw new ConflictError(
          `The key "${key}" belongs to another workflow (${existing.workflow}).`,
        );
      }
      if (existing) return { run: existing, created: false };
      const run = runs.create(key, slug, machine.initialState(now()));
      emit({ key, operation: "start", source });
      return { run, created: true };
    },
    async submit(key, stepId, version, input, source) {
      const run = load(key);
      const step = stepOf(stepId);
      // Refuse a stale page before anything is written, files included.
      if (run.version !== version) throw new ConflictError(STALE);
      if (run.state.finalized) machine.submit(definition, run.state, stepId, {}, now());
      machine.checkReachable(definition, run.state, stepId);
      const refuse = (error: string, value?: FieldValue): SubmitResult => ({
        ok: false,
        step,
        error,
        value,
        version,
      });
      const read = readField(step, input);
      if ("error" in read) return refuse(read.error);
      const earlier: StepValues = machine.completed(definition, run.state);
      const parsed = parseStep(step, read.raw, earlier);
      if ("error" in parsed) return refuse(parsed.error, read.file ? undefined : read.raw);
      const values: StepData = { ...parsed.values };
      let stored: StoredFile | undefined;
      if (read.file) {
        stored = await files.save(run.key, read.file);
        values[step.field.name] = stored.name;
        values[`${step.field.name}_bytes`] = stored.bytes;
      }
      const jobId = step.job ? crypto.randomUUID() : undefined;
      let updated: Run;
      try {
        updated = runs.update(
          run.key,
          version,
          (current) => machine.submit(definition, current.state, stepId, values, now(), jobId),
        );
      } catch (error) {
        if (stored) await files.discard(stored);
        throw error;
      }
      emit({ key: run.key, operation: "submit", step: stepId, values, source });
      if (jobId) jobs.start(run.key, step, values[step.field.name] ?? "", jobId);
      return { ok: true, run: updated };
    },
    finalize: (key, version, source) => transition(key, version, "finalize", source),
    unfinalize: (key, version, source) => transition(key, version, "unfinalize", source),
    restore(key, state, version, source) {
      const run = load(key);
      if (run.version !== version) {
        throw new ConflictError(
          `The run "${key}" changed after that, so it was left as it is: ${STALE}`,
        );
      }
      if (state === null) {
        runs.delete(key);
        emit({ key, operation: "delete", source });
        return `Deleted the ${definition.title} run ${key}.`;
      }
      runs.update(key, version, () => ({ ...state, updated: now() }));
      emit({ key, operation: "restore", source });
      return `Put the ${definition.title} run ${key} back as it was.`;
    },
    checkRevert(key, stepId) {
      const run = load(key);
      machine.revert(definition, run.state, stepId);
      return run;
    },
    plan(key, stepId, editing) {
      const run = load(key);
      const step = stepOf(stepId);
      if (editing) machine.checkReachable(definition, run.state, editing);
      const index = definition.steps.indexOf(step);
      const view = machine.view(definition, run.state, editing)[index]!;
      const done = machine.completed(definition, run.state);
      const plan: StepPlan = {
        step,
        view,
        run,
        job: run.state.jobs[step.id],
        next: definition.steps[index + 1] ?? null,
      };
      if (view === "done") plan.values = done[step.id];
      if (view === "form") {
        const previous = done[step.id]?.[step.field.name];
        plan.value = step.refill && previous !== undefined ? previous : step.suggest?.(done);
      }
      return plan;
    },
  };
}
