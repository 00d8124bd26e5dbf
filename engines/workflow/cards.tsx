/**
 * @module
 * The cards of a run, pure: the landing card, the run frame with its
 * placeholder chain, a completed step, a step's form and the finalize card.
 */

import type { Child } from "hono/jsx";
import {
  fieldLabelOf,
  type FieldValue,
  isRequiredField,
  type StepSpec,
  type WorkflowDefinition,
} from "../../pipeline/workflow/define.ts";
import type { JobState, StepData } from "../../pipeline/workflow/state.ts";
import { optionsOf } from "../../pipeline/workflow/values.ts";

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

/** The landing card: a key to start or resume, and the existing runs. */
export function Landing(props: {
  definition: WorkflowDefinition;
  slug: string;
  suggested: string;
  value?: string;
  error?: string;
  runs: { key: string; status: string; updated: string }[];
}) {
  return (
    <section class="card workflow-landing" id="landing">
      <h1>{props.definition.title}</h1>
      <p>{props.definition.description}</p>
      <form hx-post={`/${props.slug}/start`} hx-target="#main" class="inline">
        <label>
          Key for this run
          <input
            name="key"
            value={props.value ?? props.suggested}
            maxlength={64}
            required
            pattern="[A-Za-z0-9_\-]+"
            autocomplete="off"
            aria-invalid={props.error ? "true" : undefined}
            aria-describedby="key-help"
          />
        </label>
        <button type="submit">Start or resume</button>
      </form>
      <p id="key-help" class={props.error ? "field-error" : "muted"}>
        {props.error ?? "A new key starts a run; an existing key resumes it where it was."}
      </p>
      {props.runs.length > 0 && (
        <>
          <h2>Runs</h2>
          <ul class="runs">
            {props.runs.map((run) => (
              <li>
                <a
                  href={runUrl(props.slug, run.key)}
                  hx-get={runUrl(props.slug, run.key)}
                  hx-target="#main"
                  hx-push-url="true"
                >
                  {run.key}
                </a>{" "}
                <span class="muted">
                  {run.status} · updated {run.updated.slice(0, 16).replace("T", " ")}
                </span>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
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
}) {
  const first = props.definition.steps[0]!;
  return (
    <section id="run" class="run" data-key={props.runKey}>
      <header class="card run-head">
        <h1>{props.definition.title}</h1>
        <p class="muted">
          Run <code>{props.runKey}</code>
          {props.finalized ? " · finalized (read-only)" : ""} ·{" "}
          <a href={`/${props.slug}`} hx-get={`/${props.slug}`} hx-target="#main" hx-push-url="true">
            other runs
          </a>
        </p>
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

function showValue(value: FieldValue): string {
  if (typeof value === "boolean") return value ? "Yes" : "No";
  return String(value);
}

/** A completed step: its values and, unless locked, a revert control. */
export function DoneCard(props: {
  step: StepSpec;
  slug: string;
  runKey: string;
  values: StepData;
  locked: boolean;
}) {
  const { step } = props;
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
      {step.display ? step.display(props.values) : (
        <dl class="values">
          {Object.entries(props.values).map(([name, value]) => (
            <>
              <dt
                class={name === step.field.name && fieldLabelOf(step) === step.label
                  ? "sr-only"
                  : undefined}
              >
                {name === step.field.name ? fieldLabelOf(step) : name}
              </dt>
              <dd>{showValue(value)}</dd>
            </>
          ))}
        </dl>
      )}
    </article>
  );
}

/** The input for a step's field. */
function Input(props: { step: StepSpec; value?: FieldValue; invalid: boolean }) {
  const field = props.step.field;
  const required = isRequiredField(field);
  const common = {
    name: field.name,
    id: `field-${props.step.id}`,
    required,
    "aria-invalid": props.invalid ? "true" : undefined,
    "aria-describedby": `error-${props.step.id}`,
    autofocus: true,
  };
  const value = props.value === undefined ? undefined : String(props.value);
  switch (field.kind) {
    case "textarea":
      return (
        <textarea {...common} rows={5} maxlength={field.maxLength} placeholder={field.placeholder}>
          {value ?? ""}
        </textarea>
      );
    case "select":
      return (
        <select {...common}>
          <option value="">Choose…</option>
          {optionsOf(field).map((o) => (
            <option value={o.value} selected={o.value === value}>{o.label}</option>
          ))}
        </select>
      );
    case "checkbox":
      return <input {...common} type="checkbox" required={false} checked={props.value === true} />;
    case "number":
      return (
        <input {...common} type="number" step="any" min={field.min} max={field.max} value={value} />
      );
    case "date":
      return <input {...common} type="date" value={value} />;
    case "file":
      return <input {...common} type="file" />;
    default:
      return (
        <input
          {...common}
          type="text"
          maxlength={field.maxLength}
          placeholder={field.placeholder}
          value={value}
        />
      );
  }
}

/** A step's form, pre-filled with `value`, with `error` beside the field. */
export function StepForm(props: {
  step: StepSpec;
  slug: string;
  runKey: string;
  version: number;
  value?: FieldValue;
  error?: string;
  editing: boolean;
}) {
  const { step } = props;
  return (
    <article class="card step form" id={`step-${step.id}`}>
      <form
        hx-post={`${runUrl(props.slug, props.runKey)}/step/${step.id}`}
        hx-target="#run"
        hx-swap="outerHTML"
        hx-disable="find button"
        hx-encoding={step.field.kind === "file" ? "multipart/form-data" : undefined}
      >
        <label for={`field-${step.id}`}>{fieldLabelOf(step)}</label>
        <Input step={step} value={props.value} invalid={!!props.error} />
        <p id={`error-${step.id}`} class="field-error" role={props.error ? "alert" : undefined}>
          {props.error}
        </p>
        <input type="hidden" name="version" value={String(props.version)} />
        <div class="actions">
          <button type="submit">{props.editing ? "Submit again" : "Submit"}</button>
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

/** A step whose job is running (live progress), or stopped short (with a retry). */
export function JobCard(props: {
  step: StepSpec;
  slug: string;
  runKey: string;
  version: number;
  values: StepData;
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
    <article class="card step job" id={`step-${step.id}`}>
      <h2>{step.label}</h2>
      {job.status === "running"
        ? (
          <div hx-sse:connect={`${base}/progress`} hx-swap="innerHTML" class="job-progress">
            <Progress job={job} />
          </div>
        )
        : (
          <>
            <p class="field-error" role="alert">
              {job.status === "done" ? "" : stopped[job.status]}
            </p>
            <form hx-post={base} hx-target="#run" hx-swap="outerHTML">
              <input
                type="hidden"
                name={step.field.name}
                value={String(props.values[step.field.name] ?? "")}
              />
              <input type="hidden" name="version" value={String(props.version)} />
              <button type="submit">Run it again</button>
            </form>
          </>
        )}
    </article>
  );
}

/** A progress bar with its numbers and what is being done. */
export function Progress(props: { job: JobState }) {
  const { progress, note } = props.job;
  const total = props.job.total || 1;
  return (
    <>
      <progress value={progress} max={total}>{Math.round(progress / total * 100)}%</progress>
      <p class="muted">
        {progress} of {props.job.total || "?"}{" "}
        done{note ? ` · ${note}` : ""}. You can leave this page and come back.
      </p>
    </>
  );
}
