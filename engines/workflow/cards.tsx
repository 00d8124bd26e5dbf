/**
 * @module
 * The cards of a run, pure: the run frame with its placeholder chain, a
 * completed step, a step's form, a job's progress and the finalize card.
 * The landing card and a start link's draft run are in `landing.tsx`.
 */

import type { Child } from "hono/jsx";
import {
  type DisplayContext,
  fieldsOf,
  type FileRef,
  type StepData,
  type StepSpec,
  type StepValues,
  type WorkflowDefinition,
} from "../../pipeline/workflow/define.ts";
import type { JobState } from "../../pipeline/workflow/state.ts";
import { FieldInput, type ShownValue, StepValuesView } from "./fields.tsx";

/** Where a run's URLs start: `/hello/run/<key>`. */
export function runUrl(slug: string, key: string): string {
  return `/${slug}/run/${encodeURIComponent(key)}`;
}

/** A placeholder that loads step `stepId` when it appears. */
export function Placeholder(
  props: { slug: string; runKey: string; stepId: string; editing?: string },
) {
  const query = props.editing ? `?edit=${encodeURIComponent(props.editing)}` : "";
  return (
    <div
      id={`step-${props.stepId}`}
      class="step placeholder"
      hx-get={`${runUrl(props.slug, props.runKey)}/step/${props.stepId}${query}`}
      hx-trigger="load"
      hx-swap="outerHTML"
    >
      <span class="muted">Loading…</span>
    </div>
  );
}

/** "Run again": a new run with this one's steps up to a chosen one. */
function CloneForm(props: { slug: string; runKey: string; done: StepSpec[]; suggested: string }) {
  const last = props.done.at(-1)!;
  return (
    <details class="clone">
      <summary>Run again…</summary>
      <form
        hx-post={`${runUrl(props.slug, props.runKey)}/clone`}
        hx-target="#main"
        hx-disable="find button"
        class="inline"
      >
        <label>
          Copy the steps up to{" "}
          <select name="upto">
            {props.done.map((s) => <option value={s.id} selected={s === last}>{s.label}</option>)}
          </select>
        </label>
        <label>
          into the new run{" "}
          <input
            name="new_key"
            value={props.suggested}
            maxlength={64}
            required
            pattern="[A-Za-z0-9_\-]+"
            autocomplete="off"
          />
        </label>
        <button type="submit">Clone</button>
      </form>
    </details>
  );
}

/** The run frame: its header and the first placeholder of the chain. */
export function RunFrame(props: {
  definition: WorkflowDefinition;
  slug: string;
  runKey: string;
  finalized: boolean;
  editing?: string;
  notice?: Child;
  /** The completed steps, for "Run again". */
  done?: StepSpec[];
  /** A free key for a clone. */
  suggested?: string;
}) {
  const first = props.definition.steps[0]!;
  const done = props.done ?? [];
  return (
    <section id="run" class="run" data-key={props.runKey}>
      <header class="card run-head">
        <h1>{props.definition.title}</h1>
        <p class="muted">
          Run <code>{props.runKey}</code>
          {props.finalized ? " · finalized (read-only)" : ""} ·{" "}
          <a href={`/${props.slug}`} hx-get={`/${props.slug}`} hx-target="#main" hx-push-url="true">
            other runs
          </a>{" "}
          · <a href={`${runUrl(props.slug, props.runKey)}/export`} download>Export</a>
        </p>
        {done.length > 0 && props.suggested && (
          <CloneForm
            slug={props.slug}
            runKey={props.runKey}
            done={done}
            suggested={props.suggested}
          />
        )}
        {props.notice}
      </header>
      <Placeholder
        slug={props.slug}
        runKey={props.runKey}
        stepId={first.id}
        editing={props.editing}
      />
    </section>
  );
}

/** The URLs a step's display and its download links use. */
export function displayContext(
  slug: string,
  runKey: string,
  step: StepSpec,
  earlier: StepValues,
): DisplayContext {
  const base = runUrl(slug, runKey);
  const downloads: DisplayContext["downloads"] = {};
  if (step.download?.csv) downloads.csv = `${base}/step/${step.id}/download/csv`;
  if (step.download?.json) downloads.json = `${base}/step/${step.id}/download/json`;
  return {
    earlier,
    downloads,
    fileUrl: (file: FileRef) => `${base}/file/${encodeURIComponent(file.name)}`,
  };
}

/** A step's download links. */
function Downloads(props: { context: DisplayContext }) {
  const entries = Object.entries(props.context.downloads);
  if (entries.length === 0) return null;
  return (
    <p class="downloads">
      Download: {entries.map(([kind, url], i) => (
        <>
          {i > 0 && " · "}
          <a href={url} download>{kind.toUpperCase()}</a>
        </>
      ))}
    </p>
  );
}

/** A completed step: its values and, unless locked, a revert control. */
export function DoneCard(props: {
  step: StepSpec;
  slug: string;
  runKey: string;
  values: StepData;
  earlier: StepValues;
  locked: boolean;
}) {
  const { step } = props;
  const context = displayContext(props.slug, props.runKey, step, props.earlier);
  return (
    <article class="card step done" id={`step-${step.id}`}>
      <div class="step-head">
        <h2>{step.label}</h2>
        {!props.locked && (
          <button
            type="button"
            class="secondary"
            hx-get={`${runUrl(props.slug, props.runKey)}?edit=${step.id}`}
            hx-target="#run"
            hx-swap="outerHTML"
            hx-push-url="true"
            title={`Change ${step.label}; later steps are cleared when you submit it again`}
          >
            Revert
          </button>
        )}
      </div>
      {step.display
        ? step.display(props.values, context)
        : <StepValuesView step={step} values={props.values} fileUrl={context.fileUrl} />}
      <Downloads context={context} />
    </article>
  );
}

/** A step's form, pre-filled with `values`, with each field's message beside it. */
export function StepForm(props: {
  step: StepSpec;
  slug: string;
  runKey: string;
  version: number;
  values?: Record<string, ShownValue>;
  errors?: Record<string, string>;
  message?: string;
  earlier?: StepValues;
  editing: boolean;
  /** A start link's form: submitting it creates the run, with these values for later steps. */
  begin?: { prefill: string };
}) {
  const { step } = props;
  const fields = fieldsOf(step);
  const values = props.values ?? {};
  const errors = props.errors ?? {};
  const earlier = props.earlier ?? {};
  const multipart = fields.some((f) => f.kind === "file" || f.kind === "files");
  const context = displayContext(props.slug, props.runKey, step, earlier);
  const lone = fields.length === 1 && !fields[0]!.label;
  return (
    <article class="card step form" id={`step-${step.id}`}>
      {(!lone || fields.length === 0) && <h2>{step.label}</h2>}
      {step.intro && (
        <div class="intro">
          {step.intro(earlier, context)}
          {!props.begin && <Downloads context={context} />}
        </div>
      )}
      <form
        hx-post={`${runUrl(props.slug, props.runKey)}/step/${step.id}`}
        hx-target="#run"
        hx-swap="outerHTML"
        hx-disable="find button"
        hx-encoding={multipart ? "multipart/form-data" : undefined}
        novalidate
      >
        <p class="field-error form-error" role={props.message ? "alert" : undefined}>
          {props.message}
        </p>
        {fields.map((field, i) => (
          <FieldInput
            step={step}
            field={field}
            value={values[field.name]}
            error={errors[field.name]}
            autofocus={i === 0 && !step.intro}
          />
        ))}
        <input type="hidden" name="version" value={String(props.version)} />
        {props.begin && (
          <>
            <input type="hidden" name="start" value="1" />
            <input type="hidden" name="prefill" value={props.begin.prefill} />
          </>
        )}
        <div class="actions">
          <button type="submit">
            {props.editing ? "Submit again" : step.job ? "Start" : "Submit"}
          </button>
          {props.editing && <span class="muted">Submitting clears every later step.</span>}
        </div>
      </form>
    </article>
  );
}

/** Shown once every step is done: finalize, or (when finalized) unfinalize. */
export function FinishCard(props: {
  definition: WorkflowDefinition;
  slug: string;
  runKey: string;
  version: number;
  finalized: boolean;
}) {
  const action = props.finalized ? "unfinalize" : "finalize";
  return (
    <article class={`card step finish ${props.finalized ? "locked" : ""}`} id="step-finish">
      <h2>{props.finalized ? "Finalized" : "All steps are done"}</h2>
      <p>
        {props.finalized
          ? "This run is locked. Unfinalize it to change anything; all its data stays."
          : props.definition.finish ?? "Finalize the run to lock it."}
      </p>
      <form
        hx-post={`${runUrl(props.slug, props.runKey)}/${action}`}
        hx-target="#run"
        hx-swap="outerHTML"
      >
        <input type="hidden" name="version" value={String(props.version)} />
        <button type="submit" class={props.finalized ? "secondary" : ""}>
          {props.finalized ? "Unfinalize" : "Finalize"}
        </button>
      </form>
    </article>
  );
}

/** A step whose job is running (live progress and Cancel), or stopped short (with a retry). */
export function JobCard(props: {
  step: StepSpec;
  slug: string;
  runKey: string;
  version: number;
  job: JobState;
}) {
  const { step, job } = props;
  const base = `${runUrl(props.slug, props.runKey)}/step/${step.id}`;
  const stopped = {
    interrupted: "This work was interrupted (Cardflow stopped while it ran).",
    cancelled: "This work was cancelled.",
    failed: `This work failed: ${job.note ?? ""}`,
  };
  return (
    <article class="card step job" id={`step-${step.id}`} data-job-status={job.status}>
      <h2>{step.label}</h2>
      {job.status === "running"
        ? (
          <>
            <div hx-sse:connect={`${base}/progress`} hx-swap="innerHTML" class="job-progress">
              <Progress job={job} />
            </div>
            <form hx-post={`${base}/cancel`} hx-target="#run" hx-swap="outerHTML">
              <input type="hidden" name="job" value={job.id} />
              <button type="submit" class="secondary">Cancel</button>
            </form>
          </>
        )
        : (
          <>
            <p class="field-error" role="alert">
              {job.status === "done" ? "" : stopped[job.status]}
            </p>
            {job.status !== "done" && job.progress > 0 && (
              <p class="muted">It had done {job.progress} of {job.total || "?"}.</p>
            )}
            <form hx-post={`${base}/retry`} hx-target="#run" hx-swap="outerHTML">
              <input type="hidden" name="version" value={String(props.version)} />
              <button type="submit">Run it again</button>
            </form>
          </>
        )}
    </article>
  );
}

/** A progress bar with its numbers and what is being done: "12 of 40: https://…". */
export function Progress(props: { job: JobState }) {
  const { progress, note } = props.job;
  const total = props.job.total || 1;
  return (
    <>
      <progress value={progress} max={total}>{Math.round(progress / total * 100)}%</progress>
      <p class="muted job-note">
        {progress} of {props.job.total || "?"}
        {note ? `: ${note}` : " done"}
      </p>
      <p class="muted">You can leave this page and come back.</p>
    </>
  );
}
