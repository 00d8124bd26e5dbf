/**
 * @module
 * A step submit, for one workflow's service: validate a step's values (the
 * run's version, the state rules, every field), write its uploads, and
 * store it as one pure transition from `machine.ts` in one transaction —
 * files written for a refused write go again. A start link's first submit
 * creates its run in the same write.
 */

import { ConflictError } from "../../lib/errors.ts";
import type {
  StepData,
  StepSpec,
  StepValues,
  ValidateContext,
  WorkflowDefinition,
} from "../../pipeline/workflow/define.ts";
import * as machine from "../../pipeline/workflow/machine.ts";
import type { Prefill, RunState } from "../../pipeline/workflow/state.ts";
import {
  type FormValues,
  formValuesOf,
  isRefusal,
  type Parsed,
  parseStep,
  type StepInput,
} from "../../pipeline/workflow/values.ts";
import type { PipelineEvent, Source } from "../events.ts";
import type { Files, StoredFile } from "./files.ts";
import { type Run, type Runs, STALE } from "./runs.ts";

/** What a submit did: the run, or the messages to show beside the step's fields. */
export type SubmitResult =
  | { ok: true; run: Run }
  | {
    ok: false;
    step: StepSpec;
    /** A message per refused field. */
    errors: Record<string, string>;
    /** A message about the step as a whole. */
    message?: string;
    /** What was typed, to show again (files are not sent back). */
    values: FormValues;
    version: number;
  };

/** The submit operations of one workflow (part of its service). */
export interface Submit {
  /**
   * Create the run `key` and submit its first step in one write (a start
   * link's form): nothing is stored when the values are refused. `prefill`
   * holds what the link offered for later steps.
   */
  begin(
    key: string,
    input: StepInput,
    options: { source: Source; prefill?: Record<string, Prefill> },
  ): Promise<SubmitResult>;
  /** Validate and store a step (clearing every later one); starts its job if it has one. */
  submit(
    key: string,
    stepId: string,
    version: number,
    input: StepInput,
    source: Source,
  ): Promise<SubmitResult>;
}

/** What the submit operations need from their service. */
export interface SubmitEnv {
  definition: WorkflowDefinition;
  slug: string;
  runs: Runs;
  files: Files;
  net: ValidateContext;
  now(): string;
  emit(event: Omit<PipelineEvent, "workflow">): void;
  load(key: string): Run;
  checkNewKey(key: string): void;
  /** Start `step`'s job `jobId` for `run` (its state already marked running). */
  startJob(run: Run, step: StepSpec, jobId: string): void;
  /** The current profile's id: a new run belongs to it. */
  profileId(): number | null;
}

/** The submit operations over one workflow's service internals. */
export function createSubmit(env: SubmitEnv): Submit {
  const { definition, slug, runs, files, net, now, emit, load, checkNewKey, startJob } = env;

  /** Write the parsed uploads and put their stored names into the values. */
  async function store(
    key: string,
    parsed: Parsed,
  ): Promise<{ values: StepData; stored: StoredFile[] }> {
    const values: StepData = { ...parsed.values };
    const stored: StoredFile[] = [];
    try {
      for (const [name, list] of Object.entries(parsed.uploads)) {
        const saved: StoredFile[] = [];
        for (const file of list) saved.push(await files.save(key, file));
        stored.push(...saved);
        const current = values[name];
        if (Array.isArray(current)) {
          values[name] = saved.map((s, i) => ({
            ...(current[i] as object),
            name: s.name,
          })) as StepData[string];
        } else {
          values[name] = saved[0]!.name;
          values[`${name}_bytes`] = saved[0]!.bytes;
        }
      }
    } catch (error) {
      await Promise.all(stored.map((s) => files.discard(s)));
      throw error;
    }
    return { values, stored };
  }

  /** Apply `change` in one transaction; files written for it go again if it is refused. */
  async function write(
    stored: StoredFile[],
    apply: () => Run,
  ): Promise<Run> {
    try {
      return apply();
    } catch (error) {
      await Promise.all(stored.map((s) => files.discard(s)));
      throw error;
    }
  }

  function refusal(
    step: StepSpec,
    result: { errors: Record<string, string>; message?: string },
    input: StepInput,
    version: number,
  ): SubmitResult {
    return { ok: false, step, ...result, values: formValuesOf(step, input), version };
  }

  return {
    async begin(key, input, { prefill, source }) {
      checkNewKey(key);
      if (runs.find(key)) throw new ConflictError(`The key "${key}" is taken: choose another.`);
      const step = definition.steps[0]!;
      const parsed = parseStep(step, input, {}, net);
      if (isRefusal(parsed)) return refusal(step, parsed, input, 0);
      const { values, stored } = await store(key, parsed);
      const jobId = step.job ? crypto.randomUUID() : undefined;
      const run = await write(stored, () => {
        const first: RunState = machine.initialState(now());
        const rest = Object.fromEntries(
          Object.entries(prefill ?? {}).filter(([id]) => id !== step.id),
        );
        if (Object.keys(rest).length > 0) first.prefill = rest;
        const state = machine.submit(definition, first, step.id, values, now(), jobId);
        return runs.create(key, slug, state, env.profileId());
      });
      emit({ key, operation: "start", source });
      emit({ key, operation: "submit", step: step.id, values, source });
      if (jobId) startJob(run, step, jobId);
      return { ok: true, run };
    },
    async submit(key, stepId, version, input, source) {
      const run = load(key);
      const step = machine.stepOf(definition, stepId);
      // Refuse a stale page before anything is written, files included.
      if (run.version !== version) throw new ConflictError(STALE);
      if (run.state.finalized) machine.submit(definition, run.state, stepId, {}, now());
      machine.checkReachable(definition, run.state, stepId);
      const earlier: StepValues = machine.completed(definition, run.state);
      delete earlier[stepId];
      for (const later of definition.steps.slice(definition.steps.indexOf(step))) {
        delete earlier[later.id];
      }
      const parsed = parseStep(step, input, earlier, net);
      if (isRefusal(parsed)) return refusal(step, parsed, input, version);
      const { values, stored } = await store(run.key, parsed);
      const jobId = step.job ? crypto.randomUUID() : undefined;
      const updated = await write(stored, () =>
        runs.update(
          run.key,
          version,
          (current) => machine.submit(definition, current.state, stepId, values, now(), jobId),
        ));
      emit({ key: run.key, operation: "submit", step: stepId, values, source });
      if (jobId) startJob(updated, step, jobId);
      return { ok: true, run: updated };
    },
  };
}
