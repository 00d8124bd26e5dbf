/**
 * @module
 * Where a workflow's runs begin, pure: the landing card (a key to start or
 * resume, the existing runs, the import form) and the draft run a start link
 * opens, whose first form creates the run only once submitted.
 */

import type { WorkflowDefinition } from "../../pipeline/workflow/define.ts";
import { runUrl, StepForm } from "./cards.tsx";
import type { ShownValue } from "./fields.tsx";

/** The landing card: a key to start or resume, and the existing runs. */
export function Landing(props: {
  definition: WorkflowDefinition;
  slug: string;
  suggested: string;
  value?: string;
  error?: string;
  runs: { key: string; status: string; updated: string; profile: number | null }[];
  /** The import form's message (a refused file) and key. */
  importError?: string;
  importKey?: string;
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
                  {run.profile === null ? " · no profile" : ""}
                </span>
              </li>
            ))}
          </ul>
        </>
      )}
      <details class="import" open={props.importError ? true : undefined}>
        <summary>Import a run…</summary>
        <form
          hx-post={`/${props.slug}/import`}
          hx-target="#main"
          hx-encoding="multipart/form-data"
          hx-disable="find button"
          class="stack"
        >
          <label for="import-file">A run exported from {props.definition.title} (.json)</label>
          <input
            id="import-file"
            type="file"
            name="file"
            accept=".json,application/json"
            required
            aria-describedby="import-help"
            aria-invalid={props.importError ? "true" : undefined}
          />
          <label for="import-key">
            Key for the imported run <span class="muted">(optional)</span>
          </label>
          <input
            id="import-key"
            name="import_key"
            value={props.importKey}
            maxlength={64}
            pattern="[A-Za-z0-9_\-]*"
            autocomplete="off"
            placeholder="the key in the file"
          />
          <p
            id="import-help"
            class={props.importError ? "field-error" : "muted"}
            role={props.importError ? "alert" : undefined}
          >
            {props.importError ??
              "Every step is checked against this workflow as it is today; nothing is imported unless all of it fits."}
          </p>
          <div class="actions">
            <button type="submit">Import</button>
          </div>
        </form>
      </details>
    </section>
  );
}

/** A run a start link opens: its first form, pre-filled, stored only once submitted. */
export function DraftFrame(props: {
  definition: WorkflowDefinition;
  slug: string;
  runKey: string;
  values: Record<string, ShownValue>;
  prefill: string;
  ignored: string[];
}) {
  const first = props.definition.steps[0]!;
  return (
    <section id="run" class="run draft" data-key={props.runKey}>
      <header class="card run-head">
        <h1>{props.definition.title}</h1>
        <p class="muted">
          New run <code>{props.runKey}</code>{" "}
          from a link: nothing is saved until you submit the first step. ·{" "}
          <a href={`/${props.slug}`} hx-get={`/${props.slug}`} hx-target="#main" hx-push-url="true">
            other runs
          </a>
        </p>
        {props.ignored.length > 0 && (
          <p class="muted">
            Not used (no such step field): {props.ignored.join(", ")}
          </p>
        )}
      </header>
      <StepForm
        step={first}
        slug={props.slug}
        runKey={props.runKey}
        version={0}
        values={props.values}
        editing={false}
        begin={{ prefill: props.prefill }}
      />
    </section>
  );
}
