/**
 * @module
 * The workflow engine: turns a `defineWorkflow` plugin into its routes under
 * `/<slug>`. The landing card takes a key; the run page is a placeholder chain
 * rendered from the run's one JSON blob; each write applies one pure
 * transition from `machine.ts` in one transaction, checking the version the
 * page was rendered with.
 */

import { type Context, Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import type { Deps, LoadedPlugin, PipelineEvent } from "../../lib/deps.ts";
import { readForm, text } from "../../lib/form.ts";
import { currentProfile } from "../../lib/profile.ts";
import { render } from "../../lib/shell.tsx";
import { streamSSE } from "hono/streaming";
import {
  DoneCard,
  FinishCard,
  JobCard,
  Landing,
  Placeholder,
  Progress,
  RunFrame,
  runUrl,
  StepForm,
} from "./cards.tsx";
import type { FieldValue, StepSpec, WorkflowDefinition } from "./define.ts";
import { keyProblem, suggestKey } from "./keys.ts";
import * as machine from "./machine.ts";
import { createRuns, type Run } from "./runs.ts";
import { parseStep } from "./values.ts";
import { createWork } from "./work.ts";

/** A short status for lists: the current step's label, "complete" or "finalized". */
export function runStatus(definition: WorkflowDefinition | undefined, run: Run): string {
  if (!definition) return "unknown workflow";
  if (run.state.finalized) return "finalized";
  const next = machine.nextStep(definition, run.state);
  return next === null ? "complete" : `at ${definition.steps.find((s) => s.id === next)!.label}`;
}

/** Mount the workflow `plugin`. */
export function mountWorkflow(deps: Deps, plugin: LoadedPlugin): Hono {
  const definition = plugin.definition as WorkflowDefinition;
  const slug = plugin.slug;
  const runs = createRuns(deps.db, deps.log.child("pipeline"));
  const now = () => new Date().toISOString();
  const emit = (event: Omit<PipelineEvent, "workflow">) =>
    deps.bus.emit("pipeline", { workflow: slug, ...event });

  const work = createWork(deps, { runs, definition, slug, emit, now });

  /** A refused value: that step's form again, with the message, in its place. */
  function refuse(
    c: Context,
    step: StepSpec,
    key: string,
    version: number,
    value: FieldValue | undefined,
    error: string,
  ) {
    c.header("HX-Retarget", `#step-${step.id}`);
    c.header("HX-Reswap", "outerHTML");
    return c.html(
      <StepForm
        step={step}
        slug={slug}
        runKey={key}
        version={version}
        value={value}
        error={error}
        editing={false}
      />,
      422,
    );
  }

  function load(key: string): Run {
    const problem = keyProblem(key);
    if (problem) throw new HTTPException(400, { message: problem });
    const run = runs.find(key);
    if (!run || run.workflow !== slug) {
      throw new HTTPException(404, {
        message: `There is no ${definition.title} run with the key "${key}".`,
      });
    }
    return run;
  }

  function guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (error) {
      if (error instanceof machine.StateError) {
        throw new HTTPException(error.status, { message: error.message });
      }
      throw error;
    }
  }

  function version(form: Record<string, unknown>): number {
    const v = Number(form.version);
    if (!Number.isSafeInteger(v) || v < 1) {
      throw new HTTPException(400, {
        message: "The form is missing its version; reload the page.",
      });
    }
    return v;
  }

  function landing(
    c: Context,
    options: { value?: string; error?: string; status?: 200 | 404 | 409 | 422 } = {},
  ) {
    const list = runs.list({ workflow: slug, limit: 50 });
    const suggested = suggestKey(
      currentProfile(deps.store).name,
      slug,
      (k) => runs.find(k) !== undefined,
    );
    return render(
      c,
      deps,
      <Landing
        definition={definition}
        slug={slug}
        suggested={suggested}
        value={options.value}
        error={options.error}
        runs={list.map((r) => ({
          key: r.key,
          status: runStatus(definition, r),
          updated: r.updated,
        }))}
      />,
      { title: definition.title, status: options.status },
    );
  }

  function frame(c: Context, run: Run, editing?: string) {
    c.header("HX-Push-Url", runUrl(slug, run.key) + (editing ? `?edit=${editing}` : ""));
    return render(
      c,
      deps,
      <RunFrame
        definition={definition}
        slug={slug}
        runKey={run.key}
        finalized={run.state.finalized}
        editing={editing}
      />,
      { title: `${definition.title}: ${run.key}` },
    );
  }

  return new Hono()
    .get("/", (c) => landing(c))
    .post("/start", async (c) => {
      const key = text(await readForm(c), "key").trim();
      const problem = keyProblem(key);
      if (problem) return landing(c, { value: key, error: problem, status: 422 });
      let run = runs.find(key);
      if (run && run.workflow !== slug) {
        return landing(c, {
          value: key,
          error: `The key "${key}" belongs to another workflow (${run.workflow}).`,
          status: 409,
        });
      }
      if (!run) {
        run = runs.create(key, slug, machine.initialState(now()));
        emit({ key, operation: "start" });
      }
      if (c.req.header("hx-request") !== "true") return c.redirect(runUrl(slug, key), 303);
      return frame(c, run);
    })
    .get("/run/:key", (c) => {
      const run = load(c.req.param("key"));
      const editing = c.req.query("edit");
      if (editing) guard(() => machine.revert(definition, run.state, editing));
      if (editing) emit({ key: run.key, operation: "revert", step: editing });
      return frame(c, run, editing);
    })
    .get("/run/:key/step/:step", (c) => {
      const run = load(c.req.param("key"));
      const stepId = c.req.param("step");
      const editing = c.req.query("edit") || undefined;
      const index = definition.steps.findIndex((s) => s.id === stepId);
      if (index === -1) {
        throw new HTTPException(404, {
          message: `There is no step "${stepId}" in ${definition.title}.`,
        });
      }
      if (editing) guard(() => machine.checkReachable(definition, run.state, editing));
      const views = machine.view(definition, run.state, editing);
      const step = definition.steps[index]!;
      const done = machine.completed(definition, run.state);
      const next = definition.steps[index + 1];
      const own = run.state[step.id] as Record<string, FieldValue> | undefined;
      if (step.job && own && machine.JOB_PENDING.includes(String(own._status)) && !editing) {
        return c.html(
          <JobCard step={step} slug={slug} runKey={run.key} version={run.version} values={own} />,
        );
      }
      if (views[index] === "hidden") return c.html("");
      if (views[index] === "form") {
        const previous = done[step.id]?.[step.field.name];
        const value = step.refill && previous !== undefined ? previous : step.suggest?.(done);
        return c.html(
          <StepForm
            step={step}
            slug={slug}
            runKey={run.key}
            version={run.version}
            value={value}
            editing={!!editing}
          />,
        );
      }
      return c.html(
        <>
          <DoneCard
            step={step}
            slug={slug}
            runKey={run.key}
            values={done[step.id]!}
            locked={run.state.finalized}
          />
          {next
            ? <Placeholder slug={slug} runKey={run.key} stepId={next.id} editing={editing} />
            : (
              <FinishCard
                definition={definition}
                slug={slug}
                runKey={run.key}
                version={run.version}
                finalized={run.state.finalized}
              />
            )}
        </>,
      );
    })
    .post("/run/:key/step/:step", async (c) => {
      const form = await readForm(c);
      const run = load(c.req.param("key"));
      const stepId = c.req.param("step");
      const expected = version(form);
      guard(() => machine.checkReachable(definition, run.state, stepId));
      if (run.state.finalized) {
        guard(() => machine.submit(definition, run.state, stepId, {}, now()));
      }
      const step = definition.steps.find((s) => s.id === stepId)!;
      let raw = form[step.field.name];
      let upload: { name: string; bytes: number } | undefined;
      if (step.field.kind === "file") {
        const saved = await work.saveUpload(step, run.key, raw);
        if ("error" in saved) return refuse(c, step, run.key, expected, undefined, saved.error);
        upload = saved;
        raw = saved.name;
      }
      if (raw instanceof File) {
        throw new HTTPException(400, { message: `${step.label} takes text, not a file.` });
      }
      const parsed = parseStep(step, raw, machine.completed(definition, run.state));
      if ("error" in parsed) return refuse(c, step, run.key, expected, raw, parsed.error);
      const values: Record<string, FieldValue> = { ...parsed.values };
      if (upload) values[`${step.field.name}_bytes`] = upload.bytes;
      const jobId = step.job ? crypto.randomUUID() : undefined;
      if (jobId) {
        Object.assign(values, { _status: "running", _progress: 0, _total: 0, _job: jobId });
      }
      const updated = runs.update(
        run.key,
        expected,
        (current) => guard(() => machine.submit(definition, current.state, stepId, values, now())),
      );
      emit({ key: run.key, operation: "submit", step: stepId, values: parsed.values });
      if (jobId) work.startJob(run.key, step, raw ?? "", jobId);
      return frame(c, updated);
    })
    .get("/run/:key/step/:step/progress", (c) => {
      const run = load(c.req.param("key"));
      const step = definition.steps.find((s) => s.id === c.req.param("step") && s.job);
      if (!step) throw new HTTPException(404, { message: "That step has no work to follow." });
      return streamSSE(c, async (stream) => {
        let sent = "";
        while (!stream.aborted && !deps.signal.aborted) {
          const values = runs.find(run.key)?.state[step.id] as
            | Record<string, FieldValue>
            | undefined;
          if (values?._status !== "running") {
            // Finished (or gone): have the page redraw the run from its blob.
            await stream.writeSSE({
              data: String(
                <div
                  hx-get={runUrl(slug, run.key)}
                  hx-target="#run"
                  hx-swap="outerHTML"
                  hx-trigger="load"
                >
                </div>,
              ),
            });
            break;
          }
          const html = String(<Progress values={values} />);
          if (html !== sent) await stream.writeSSE({ data: html });
          sent = html;
          await stream.sleep(250);
        }
      });
    })
    .post("/run/:key/finalize", async (c) => {
      const form = await readForm(c);
      const run = load(c.req.param("key"));
      const updated = runs.update(
        run.key,
        version(form),
        (current) => guard(() => machine.finalize(definition, current.state, now())),
      );
      emit({ key: run.key, operation: "finalize" });
      return frame(c, updated);
    })
    .post("/run/:key/unfinalize", async (c) => {
      const form = await readForm(c);
      const run = load(c.req.param("key"));
      const updated = runs.update(
        run.key,
        version(form),
        (current) => guard(() => machine.unfinalize(current.state, now())),
      );
      emit({ key: run.key, operation: "unfinalize" });
      return frame(c, updated);
    });
}
