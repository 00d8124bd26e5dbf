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
import { type FormFields, readForm, readFormLists, text } from "../../lib/form.ts";
import type { WorkflowDefinition } from "../../pipeline/workflow/define.ts";
import { nextStep } from "../../pipeline/workflow/machine.ts";
import type { Prefill } from "../../pipeline/workflow/state.ts";
import type { StepInput } from "../../pipeline/workflow/values.ts";
import type { LoadedPlugin } from "../../pipeline/plugin.ts";
import type { Run } from "../../services/workflows/runs.ts";
import type { SubmitResult, WorkflowService } from "../../services/workflows/service.ts";
import type { Deps } from "../../web/deps.ts";
import { html, render } from "../../web/shell.tsx";
import {
  DoneCard,
  FinishCard,
  JobCard,
  Placeholder,
  Progress,
  RunFrame,
  runUrl,
  StepForm,
} from "./cards.tsx";
import { Landing } from "./landing.tsx";
import { transferRoutes } from "./transfer_routes.tsx";

/** A form's lists as a step's input: files as files, text as text (one value or several). */
export function stepInput(lists: Record<string, (string | File)[]>): StepInput {
  const input: StepInput = {};
  for (const [name, values] of Object.entries(lists)) {
    const files = values.filter((v): v is File => v instanceof File);
    const texts = values.filter((v): v is string => typeof v === "string");
    input[name] = files.length > 0 ? files : texts.length === 1 ? texts[0] : texts;
  }
  return input;
}

/** A start link's values for later steps, carried in its form; anything odd is dropped. */
function prefillOf(text: string): Record<string, Prefill> {
  try {
    const parsed = JSON.parse(text || "{}");
    const out: Record<string, Prefill> = {};
    for (const [step, fields] of Object.entries(parsed ?? {})) {
      if (typeof fields !== "object" || fields === null) continue;
      const entry: Prefill = {};
      for (const [name, value] of Object.entries(fields)) {
        if (typeof value === "string") entry[name] = value;
        else if (Array.isArray(value)) entry[name] = value.filter((v) => typeof v === "string");
      }
      out[step] = entry;
    }
    return out;
  } catch {
    return {};
  }
}

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
    options: {
      value?: string;
      error?: string;
      importError?: string;
      importKey?: string;
      status?: 200 | 404 | 409 | 422;
    } = {},
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
        importError={options.importError}
        importKey={options.importKey}
        runs={service.summaries()}
      />,
      { title: definition.title, status: options.status },
    );
  }

  function frame(c: Context, run: Run, editing?: string) {
    c.header("HX-Push-Url", runUrl(slug, run.key) + (editing ? `?edit=${editing}` : ""));
    const next = nextStep(definition, run.state);
    const at = next === null
      ? definition.steps.length
      : definition.steps.findIndex((s) => s.id === next);
    const done = definition.steps.slice(0, at);
    return render(
      c,
      deps,
      <RunFrame
        definition={definition}
        slug={slug}
        runKey={run.key}
        finalized={run.state.finalized}
        editing={editing}
        done={done}
        suggested={done.length > 0 ? service.suggestKey() : undefined}
      />,
      { title: `${definition.title}: ${run.key}` },
    );
  }

  /** A refused value: that step's form again, with the messages, in its place. */
  function refused(
    c: Context,
    key: string,
    result: Extract<SubmitResult, { ok: false }>,
    begin?: { prefill: string },
  ) {
    c.header("HX-Retarget", `#step-${result.step.id}`);
    c.header("HX-Reswap", "outerHTML");
    const earlier = begin ? {} : service.plan(key, result.step.id).earlier;
    return html(
      c,
      <StepForm
        step={result.step}
        slug={slug}
        runKey={key}
        version={result.version}
        values={result.values}
        errors={result.errors}
        message={result.message}
        earlier={earlier}
        editing={false}
        begin={begin}
      />,
      422,
    );
  }

  return new Hono()
    .route("/", transferRoutes(deps, service, { landing, frame }))
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
            values={plan.form}
            earlier={plan.earlier}
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
            earlier={plan.earlier}
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
      const lists = await readFormLists(c);
      const input = stepInput(lists);
      const key = c.req.param("key");
      const stepId = c.req.param("step");
      if (input.start === "1") {
        // A start link's first form: the run is created by this submit, or not at all.
        if (stepId !== definition.steps[0]!.id) {
          throw new HTTPException(400, { message: "A new run starts at its first step." });
        }
        const prefill = typeof input.prefill === "string" ? input.prefill : "";
        const result = await service.begin(key, input, {
          source: "ui",
          prefill: prefillOf(prefill),
        });
        if (!result.ok) return refused(c, key, result, { prefill });
        return frame(c, result.run);
      }
      const version = versionOf({
        version: typeof input.version === "string" ? input.version : "",
      });
      const result = await service.submit(key, stepId, version, input, "ui");
      return result.ok ? frame(c, result.run) : refused(c, key, result);
    })
    .post("/run/:key/step/:step/cancel", async (c) => {
      const form = await readForm(c);
      return frame(
        c,
        service.cancel(c.req.param("key"), c.req.param("step"), text(form, "job"), "ui"),
      );
    })
    .post("/run/:key/step/:step/retry", async (c) => {
      const version = versionOf(await readForm(c));
      return frame(c, service.retry(c.req.param("key"), c.req.param("step"), version, "ui"));
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
