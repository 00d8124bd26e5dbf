/**
 * @module
 * Long-running work started by submitting a job step. The job runs in the
 * background and writes its progress into the run as it goes (so a page can
 * leave and come back); its result completes the step. A job whose step was
 * submitted again is superseded and its writes are dropped; a job that was
 * running when Cardflow stopped is marked interrupted at the next start.
 */

import type { Logger } from "../../lib/log.ts";
import { describeNetError, NetError, type NetFetch } from "../../lib/net.ts";
import type {
  FileRef,
  JobContext,
  StepData,
  StepSpec,
  StepValues,
  WorkflowDefinition,
} from "../../pipeline/workflow/define.ts";
import * as machine from "../../pipeline/workflow/machine.ts";
import type { PipelineEvent } from "../events.ts";
import type { Files } from "./files.ts";
import type { Runs } from "./runs.ts";

/** What the jobs of one workflow need. */
export interface JobsEnv {
  runs: Runs;
  definition: WorkflowDefinition;
  slug: string;
  log: Logger;
  emit(event: Omit<PipelineEvent, "workflow">): void;
  now(): string;
  /** Aborts when this database is closed (Cardflow stops, or switches away). */
  signal: AbortSignal;
  /** The workflow's fetch (its hosts and the user's); each job's requests also stop with the job. */
  fetch: NetFetch;
  files: Files;
}

/** The running jobs of one workflow. */
export interface Jobs {
  /** Run `step`'s job for run `key` (its state already marked running as `jobId`). */
  start(key: string, step: StepSpec, values: StepData, jobId: string, earlier: StepValues): void;
  /** Stop the running job of `stepId` in run `key`; whether one was running here. */
  cancel(key: string, stepId: string): boolean;
  /** Mark jobs left running by a previous process as interrupted. */
  recover(): number;
}

/** Progress is written at most this often; the last report always is. */
const PROGRESS_EVERY_MS = 200;

/** The jobs of one workflow. */
export function createJobs(env: JobsEnv): Jobs {
  const { runs, slug, log, now } = env;
  const controllers = new Map<string, AbortController>();

  function write(key: string, change: Parameters<Runs["update"]>[2], bump = true): void {
    runs.update(key, null, change, { bump });
  }

  return {
    start(key, step, values, jobId, earlier) {
      const controller = new AbortController();
      const id = `${key}/${step.id}`;
      controllers.get(id)?.abort();
      controllers.set(id, controller);
      const signal = AbortSignal.any([controller.signal, env.signal]);
      let last = 0;
      const report = (done: number, total: number, note?: string) => {
        if (Date.now() - last < PROGRESS_EVERY_MS && done < total) return;
        last = Date.now();
        write(
          key,
          (run) => machine.jobProgress(run.state, step.id, jobId, { done, total, note }),
          false,
        );
      };
      const context: JobContext = {
        report,
        signal,
        earlier,
        fetch: (url, init = {}) =>
          env.fetch(url, {
            ...init,
            signal: init.signal ? AbortSignal.any([init.signal, signal]) : signal,
          }),
        async save(name, content, type = "application/octet-stream"): Promise<FileRef> {
          const bytes = typeof content === "string" ? new TextEncoder().encode(content) : content;
          const stored = await env.files.write(key, name, bytes);
          return { name: stored.name, original: name, bytes: stored.bytes, type };
        },
      };
      Promise.resolve().then(() => step.job!.run(values, context)).then(
        (result) => {
          write(key, (run) => machine.jobDone(run.state, step.id, jobId, result, now()));
          env.emit({ key, operation: "job-done", step: step.id, values: result });
        },
        (error) => {
          if (error instanceof machine.SupersededError) return;
          const stopped = controller.signal.aborted
            ? "cancelled"
            : env.signal.aborted
            ? "interrupted"
            : "failed";
          const note = stopped === "cancelled"
            ? "Cancelled."
            : stopped === "interrupted"
            ? "Cardflow stopped while this ran."
            : error instanceof NetError
            ? describeNetError(error)
            : String((error as Error)?.message ?? error).slice(0, 300);
          if (stopped === "failed") log.warn(`job ${step.id} of ${key} failed`, error);
          try {
            write(
              key,
              (run) => machine.jobStopped(run.state, step.id, jobId, stopped, note, now()),
            );
            if (stopped === "failed") {
              env.emit({ key, operation: "job-failed", step: step.id });
            }
          } catch (writeError) {
            // Superseded, deleted, or the database already closed: nothing left to mark.
            if (!(writeError instanceof machine.SupersededError)) {
              log.debug(`job ${step.id} of ${key} could not be marked ${stopped}`, writeError);
            }
          }
        },
      ).finally(() => {
        if (controllers.get(id) === controller) controllers.delete(id);
      });
    },
    cancel(key, stepId) {
      const controller = controllers.get(`${key}/${stepId}`);
      controller?.abort();
      return controller !== undefined;
    },
    recover() {
      let count = 0;
      for (const run of runs.withRunningJob(slug)) {
        write(run.key, (current) => {
          let state = current.state;
          for (const [stepId, job] of Object.entries(state.jobs)) {
            if (job.status !== "running") continue;
            state = machine.jobStopped(
              state,
              stepId,
              job.id,
              "interrupted",
              "Cardflow stopped while this ran.",
              now(),
            );
            count++;
          }
          return state;
        });
      }
      return count;
    },
  };
}
