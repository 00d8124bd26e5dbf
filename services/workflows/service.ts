/**
 * @module
 * One workflow's operations: start or resume a run by key, finalize and
 * unfinalize, cancel and retry a job, undo a start or a submit, and what
 * each step shows. A step submit — validated for the buttons, start links
 * and the assistant alike, then written as one pure transition from
 * `machine.ts` in one transaction — lives beside it in `submit.ts`; export,
 * import, clone and downloads in `transfer.ts`, through the same checks.
 */

import type { Bus } from "../../lib/bus.ts";
import { ConflictError, NotFoundError } from "../../lib/errors.ts";
import type { Logger } from "../../lib/log.ts";
import { createNetFetch, hostAllowed, type NetFetch } from "../../lib/net.ts";
import {
  type FieldValue,
  type StepData,
  type StepSpec,
  type StepValues,
  type ValidateContext,
  type WorkflowDefinition,
} from "../../pipeline/workflow/define.ts";
import { keyProblem } from "../../pipeline/workflow/keys.ts";
import * as machine from "../../pipeline/workflow/machine.ts";
import type { JobState, RunState } from "../../pipeline/workflow/state.ts";
import { formStart } from "../../pipeline/workflow/values.ts";
import type { LoadedPlugin } from "../../pipeline/plugin.ts";
import type { PipelineEvent, ServiceEvents, Source } from "../events.ts";
import type { Files } from "./files.ts";
import { createJobs, type Jobs } from "./jobs.ts";
import { type Run, type Runs, STALE, suggestFreeKey } from "./runs.ts";
import { createSubmit, type Submit } from "./submit.ts";
import { createTransfer, type Transfer } from "./transfer.ts";

export type { StepInput } from "../../pipeline/workflow/values.ts";
export type { SubmitResult } from "./submit.ts";

/** What one step of a run shows, for the engine to render. */
export interface StepPlan {
  step: StepSpec;
  view: machine.StepView;
  run: Run;
  /** The values of the completed steps before this one. */
  earlier: StepValues;
  /** The completed step's values ("done"). */
  values?: StepData;
  /** The values a form starts with: previous ones (refill), a start link's, the suggestion. */
  form?: Record<string, FieldValue | string | string[]>;
  /** The step's job, if it has one. */
  job?: JobState;
  /** The step after this one, or null when this is the last. */
  next: StepSpec | null;
}

/** A run's summary for lists. */
export interface RunSummary {
  key: string;
  status: string;
  updated: string;
  /** Null for a run of no profile (shown under every profile). */
  profile: number | null;
}

/** The operations of one workflow. */
export interface WorkflowService extends Transfer, Submit {
  readonly slug: string;
  readonly definition: WorkflowDefinition;
  /** The current profile's recent runs (and runs of no profile) with where each one is. */
  summaries(limit?: number): RunSummary[];
  /** The run `key` of this workflow; throws NotFoundError. */
  load(key: string): Run;
  /** The next free key for the current profile. */
  suggestKey(): string;
  /** Start the run `key`, or resume it when it exists. */
  start(key: string, source: Source): { run: Run; created: boolean };
  finalize(key: string, version: number, source: Source): Run;
  unfinalize(key: string, version: number, source: Source): Run;
  /** Stop the running job `jobId` of `stepId`; the step shows as cancelled at once. */
  cancel(key: string, stepId: string, jobId: string, source: Source): Run;
  /** Run a failed, interrupted or cancelled job again with its step's values. */
  retry(key: string, stepId: string, version: number, source: Source): Run;
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
  /** Whether a job of this workflow may fetch from `url`'s host. */
  readonly net: ValidateContext;
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
  /** The current profile's id (null without a Profiles app): new runs belong to it. */
  profileId(): number | null;
  /** Hosts the user allowed for every workflow (`--net-host`). */
  allowNetHosts: readonly string[];
  /** The fetch jobs use; built from the hosts above when omitted (tests pass their own). */
  fetch?: NetFetch;
}

/** A short status for lists: the current step's label, "complete" or "finalized". */
export function runStatus(definition: WorkflowDefinition | undefined, run: Run): string {
  if (!definition) return "unknown workflow";
  if (run.state.finalized) return "finalized";
  const running = Object.values(run.state.jobs).some((j) => j.status === "running");
  const next = machine.nextStep(definition, run.state);
  if (next === null) return "complete";
  const label = definition.steps.find((s) => s.id === next)!.label;
  return running ? `running ${label}` : `at ${label}`;
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
  const hosts = [...(definition.net ?? []), ...env.allowNetHosts];
  const net: ValidateContext = {
    allows(url) {
      try {
        const u = new URL(url);
        return hostAllowed(
          `${u.hostname}:${u.port || (u.protocol === "https:" ? 443 : 80)}`,
          hosts,
        );
      } catch {
        return false;
      }
    },
  };
  const jobs: Jobs = createJobs({
    runs,
    definition,
    slug,
    log: env.log,
    emit,
    now,
    signal: env.signal,
    files,
    // Only hosts the person named may be loopback or private addresses, never a workflow's own.
    fetch: env.fetch ?? createNetFetch({ hosts, privateHosts: env.allowNetHosts }),
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

  function checkNewKey(key: string): void {
    const problem = keyProblem(key);
    if (problem) throw new NotFoundError("pipeline", key, problem);
    const existing = runs.find(key);
    if (existing && existing.workflow !== slug) {
      throw new ConflictError(
        `The key "${key}" belongs to another workflow (${existing.workflow}).`,
      );
    }
  }

  function startJob(run: Run, step: StepSpec, jobId: string): void {
    const earlier = machine.completed(definition, run.state);
    delete earlier[step.id];
    jobs.start(run.key, step, run.state.steps[step.id] ?? {}, jobId, earlier);
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

  const transfer = createTransfer({
    definition,
    slug,
    runs,
    files,
    net,
    now,
    load,
    checkNewKey,
    env,
  });

  const steps = createSubmit({
    definition,
    slug,
    runs,
    files,
    net,
    now,
    emit,
    load,
    checkNewKey,
    startJob,
    profileId: () => env.profileId(),
  });

  return {
    ...transfer,
    ...steps,
    slug,
    definition,
    net,
    summaries(limit = 50) {
      return runs.list({ workflow: slug, profile: env.profileId() ?? undefined, limit }).map((
        r,
      ) => ({
        key: r.key,
        status: runStatus(definition, r),
        updated: r.updated,
        profile: r.profile_id,
      }));
    },
    load,
    suggestKey: () => suggestFreeKey(env.profileName(), slug, runs),
    start(key, source) {
      checkNewKey(key);
      const existing = runs.find(key);
      if (existing) return { run: existing, created: false };
      const run = runs.create(key, slug, machine.initialState(now()), env.profileId());
      emit({ key, operation: "start", source });
      return { run, created: true };
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
    cancel(key, stepId, jobId) {
      const run = load(key);
      machine.stepOf(definition, stepId);
      const job = run.state.jobs[stepId];
      if (!job || job.id !== jobId || job.status !== "running") {
        throw new ConflictError("That work is no longer running. Reload to see where it is.");
      }
      // Mark it first: the job's own writes are then superseded, whatever it does next.
      const updated = runs.update(
        run.key,
        null,
        (current) =>
          machine.jobStopped(current.state, stepId, jobId, "cancelled", "Cancelled.", now()),
      );
      jobs.cancel(run.key, stepId);
      return updated;
    },
    retry(key, stepId, version) {
      const run = load(key);
      const step = machine.stepOf(definition, stepId);
      if (!step.job) throw new NotFoundError("steps", stepId, "That step has no work to run.");
      const jobId = crypto.randomUUID();
      const updated = runs.update(
        run.key,
        version,
        (current) => machine.jobRetry(definition, current.state, stepId, jobId, now()),
      );
      startJob(updated, step, jobId);
      return updated;
    },
    checkRevert(key, stepId) {
      const run = load(key);
      machine.revert(definition, run.state, stepId);
      return run;
    },
    plan(key, stepId, editing) {
      const run = load(key);
      const step = machine.stepOf(definition, stepId);
      if (editing) machine.checkReachable(definition, run.state, editing);
      const index = definition.steps.indexOf(step);
      const view = machine.view(definition, run.state, editing)[index]!;
      const done = machine.completed(definition, run.state);
      const earlier: StepValues = {};
      for (const before of definition.steps.slice(0, index)) {
        if (done[before.id]) earlier[before.id] = done[before.id]!;
      }
      const plan: StepPlan = {
        step,
        view,
        run,
        earlier,
        job: run.state.jobs[step.id],
        next: definition.steps[index + 1] ?? null,
      };
      if (view === "done") plan.values = done[step.id];
      if (view === "form") {
        plan.form = formStart(step, {
          earlier,
          previous: done[step.id],
          prefill: run.state.prefill?.[step.id],
        });
      }
      return plan;
    },
  };
}
