/**
 * @module
 * What a workflow step can start besides storing values: a file upload kept
 * under the data folder, and a long-running job that writes its progress
 * into the run as it goes (so a page can leave and come back) and is marked
 * interrupted when Cardflow restarts under it.
 */

import type { Deps, PipelineEvent } from "../../lib/deps.ts";
import type { FieldValue, StepSpec, WorkflowDefinition } from "./define.ts";
import type { Run, Runs } from "./runs.ts";

/** What the workflow engine hands over. */
export interface WorkContext {
  runs: Runs;
  definition: WorkflowDefinition;
  slug: string;
  emit: (event: Omit<PipelineEvent, "workflow">) => void;
  now: () => string;
}

/** Uploads and jobs for one workflow. */
export interface Work {
  saveUpload(
    step: StepSpec,
    key: string,
    file: unknown,
  ): Promise<{ name: string; bytes: number } | { error: string }>;
  startJob(key: string, step: StepSpec, input: FieldValue, jobId: string): void;
}

/** Create the uploads and jobs of a mounted workflow (and recover its interrupted jobs). */
export function createWork(deps: Deps, ctx: WorkContext): Work {
  const { runs, definition, slug, emit, now } = ctx;
  let uploads: string | undefined;
  function uploadDir(key: string): string {
    uploads ??= deps.config.dataDir === ":memory:"
      ? Deno.makeTempDirSync({ prefix: "cardflow-uploads-" })
      : `${deps.config.dataDir}/uploads`;
    const dir = `${uploads}/${key}`;
    Deno.mkdirSync(dir, { recursive: true });
    return dir;
  }

  /** Save an uploaded file under the data folder; the stored name, or the message to show. */
  async function saveUpload(
    step: StepSpec,
    key: string,
    file: unknown,
  ): Promise<{ name: string; bytes: number } | { error: string }> {
    const label = step.field.label ?? step.label;
    if (!(file instanceof File) || file.name === "") return { error: `${label}: choose a file.` };
    const max = step.field.maxBytes ?? 256 * 1024;
    if (file.size > max) {
      return { error: `${label} is too large: at most ${Math.round(max / 1024)} KiB.` };
    }
    // Keep only the base name, in a safe alphabet: nothing can leave the run's folder.
    const base = file.name.split(/[\\/]/).pop() ?? "";
    const safe = base.replace(/[^A-Za-z0-9._-]+/g, "_").replace(/^\.+/, "").slice(-80) || "upload";
    const name = `${Date.now().toString(36)}-${safe}`;
    await Deno.writeFile(`${uploadDir(key)}/${name}`, new Uint8Array(await file.arrayBuffer()));
    return { name, bytes: file.size };
  }

  /** Run a step's job in the background, writing its progress into the run as it goes. */
  function startJob(key: string, step: StepSpec, input: FieldValue, jobId: string): void {
    const stillMine = (run: Run) =>
      (run.state[step.id] as Record<string, FieldValue> | undefined)?._job === jobId;
    const write = (fields: Record<string, FieldValue>) => {
      const run = runs.find(key);
      if (!run || !stillMine(run)) throw new Error("superseded");
      runs.update(key, run.version, (r) => ({
        ...r.state,
        [step.id]: { ...(r.state[step.id] as Record<string, FieldValue>), ...fields },
        updated: now(),
      }));
    };
    let last = 0;
    step.job!.run(input, (done, total, note) => {
      if (Date.now() - last < 200 && done < total) return;
      last = Date.now();
      write({ _progress: done, _total: total, ...(note ? { _note: note } : {}) });
    }, deps.signal).then(
      (result) => {
        write({ ...result, _status: "done" });
        emit({ key, operation: "submit", step: step.id, values: result });
      },
      (error) => {
        if (deps.signal.aborted || (error as Error).message === "superseded") return;
        deps.log.warn(`job ${step.id} of ${key} failed`, error);
        try {
          write({
            _status: "failed",
            _note: String((error as Error).message ?? error).slice(0, 300),
          });
        } catch { /* superseded */ }
      },
    );
  }

  // Jobs do not survive a restart: mark the ones that were running as interrupted.
  for (const run of definition.steps.some((s) => s.job) ? runs.withRunningJob(slug) : []) {
    for (const step of definition.steps) {
      const values = run.state[step.id] as Record<string, FieldValue> | undefined;
      if (step.job && values?._status === "running") {
        runs.update(
          run.key,
          run.version,
          (r) => ({ ...r.state, [step.id]: { ...values, _status: "interrupted" } }),
        );
      }
    }
  }

  return { saveUpload, startJob };
}
