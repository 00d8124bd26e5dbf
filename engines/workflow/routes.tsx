/**
 * @module
 * The workflow engine: a `defineWorkflow` plugin's routes under `/<slug>`,
 * each a thin layer over its workflow service. The landing card takes a key;
 * the run page is a placeholder chain rendered from the run's one JSON blob,
 * one step per request. Every write goes through the service, which checks
 * the version the page was rendered with; a refused value re-renders its
 * step's form with the message.
 */

import { type Context, Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { streamSSE } from "hono/streaming";
import { ConflictError, NotFoundError } from "../../lib/errors.ts";
import { type FormFields, readForm, text } from "../../lib/form.ts";
import type { WorkflowDefinition } from "../../pipeline/workflow/define.ts";
import type { LoadedPlugin } from "../../pipeline/plugin.ts";
import type { Run } from "../../services/workflows/runs.ts";
import type { SubmitResult, WorkflowService } from "../../services/workflows/service.ts";
import type { Deps } from "../../web/deps.ts";
import { html, render } from "../../web/shell.tsx";
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

function versionOf(form: FormFields): number {
  const v = Number(form.version);
  if (!Number.isSafeInteger(v) || v < 1) {
    throw new HTTPException(400, { message: "The form is missing its version; reload the page." });
  }
  return v;
}

/** Mount the workflow `plugin`. */
export function mountWorkflow(deps: Deps, plugin: LoadedPlugin<WorkflowDefinition>): Hono {
  const { slug, definition } = plugin;
  const found = deps.services.workflows.find(slug);
  if (!found) throw new Error(`plugins/${plugin.file}: the services have no workflow "${slug}"`);
  const service: WorkflowService = found;

  function landing(
    c: Context,
    options: { value?: string; error?: string; status?: 200 | 404 | 409 | 422 } = {},
  ) {
    return render(
      c,
      deps,
      <Landing
        definition={definition}
        slug={slug}
        suggested={service.suggestKey()}
        value={options.value}
        error={options.error}
        runs={service.summaries()}
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

  /** A refused value: that step's form again, with the message, in its place. */
  function refused(c: Context, key: string, result: Extract<SubmitResult, { ok: false }>) {
    c.header("HX-Retarget", `#step-${result.step.id}`);
    c.header("HX-Reswap", "outerHTML");
    return html(
      c,
      <StepForm
        step={result.step}
        slug={slug}
        runKey={key}
        version={result.version}
        value={result.value}
        error={result.error}
        editing={false}
      />,
      422,
    );
  }

  return new Hono()
    .get("/", (c) => landing(c))
    .post("/start", async (c) => {
      const key = text(await readForm(c), "key").trim();
      let run: Run;
      try {
        run = service.start(key, "ui").run;
      } catch (error) {
        if (error instanceof NotFoundError) {
          return landing(c, { value: key, error: error.message, status: 422 });
        }
        if (error instanceof ConflictError) {
          return landing(c, { value: key, error: error.message, status: 409 });
        }
        throw error;
      }
      if (c.req.header("hx-request") !== "true") return c.redirect(runUrl(slug, key), 303);
      return frame(c, run);
    })
    .get("/run/:key", (c) => {
      const editing = c.req.query("edit") || undefined;
      const run = editing
        ? service.checkRevert(c.req.param("key"), editing)
        : service.load(c.req.param("key"));
      return frame(c, run, editing);
    })
    .get("/run/:key/step/:step", (c) => {
      const editing = c.req.query("edit") || undefined;
      const plan = service.plan(c.req.param("key"), c.req.param("step"), editing);
      const { step, run } = plan;
      if (plan.view === "job") {
        return html(
          c,
          <JobCard
            step={step}
            slug={slug}
            runKey={run.key}
            version={run.version}
            values={run.state.steps[step.id] ?? {}}
            job={plan.job!}
          />,
        );
      }
      if (plan.view === "hidden") return c.html("");
      if (plan.view === "form") {
        return html(
          c,
          <StepForm
            step={step}
            slug={slug}
            runKey={run.key}
            version={run.version}
            value={plan.value}
            editing={!!editing}
          />,
        );
      }
      return html(
        c,
        <>
          <DoneCard
            step={step}
            slug={slug}
            runKey={run.key}
            values={plan.values!}
            locked={run.state.finalized}
          />
          {plan.next
            ? <Placeholder slug={slug} runKey={run.key} stepId={plan.next.id} editing={editing} />
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
      const key = c.req.param("key");
      const result = await service.submit(key, c.req.param("step"), versionOf(form), form, "ui");
      return result.ok ? frame(c, result.run) : refused(c, key, result);
    })
    .get("/run/:key/step/:step/progress", (c) => {
      const run = service.load(c.req.param("key"));
      const stepId = c.req.param("step");
      if (!definition.steps.some((s) => s.id === stepId && s.job)) {
        throw new NotFoundError("steps", stepId, "That step has no work to follow.");
      }
      const signal = deps.services.signal;
      return streamSSE(c, async (stream) => {
        let sent = "";
        while (!stream.aborted && !deps.signal.aborted && !signal.aborted) {
          const job = service.load(run.key).state.jobs[stepId];
          if (job?.status !== "running") {
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
          const progress = String(<Progress job={job} />);
          if (progress !== sent) await stream.writeSSE({ data: progress });
          sent = progress;
          await stream.sleep(250);
        }
      });
    })
    .post("/run/:key/finalize", async (c) => {
      const version = versionOf(await readForm(c));
      return frame(c, service.finalize(c.req.param("key"), version, "ui"));
    })
    .post("/run/:key/unfinalize", async (c) => {
      const version = versionOf(await readForm(c));
      return frame(c, service.unfinalize(c.req.param("key"), version, "ui"));
    });
}
