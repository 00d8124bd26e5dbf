/**
 * @module
 * The import page of a CRUD app, pure: a file (or pasted text) in CSV or
 * JSON, a preview of its first records, and the report of every problem by
 * row and field. Nothing is imported unless every record is valid.
 */

import type { Child } from "hono/jsx";
import { Notice } from "../../components/layout.tsx";
import { type CrudDefinition, fieldLabel } from "../../pipeline/crud/define.ts";
import type { ImportResult } from "../../pipeline/crud/transfer.ts";
import { Cell, shows } from "./fields.tsx";

/** Records shown in a preview. */
export const PREVIEW_ROWS = 5;
/** Problems listed in a report (the count says how many more). */
export const REPORT_ROWS = 50;

/** The import page. */
export function ImportPage(
  props: { slug: string; definition: CrudDefinition; profile?: string; result?: Child },
) {
  const { slug, definition } = props;
  const fields = definition.fields.map((f) => f.name).join(", ");
  return (
    <section class="card" id={`${slug}-import`}>
      <h1>Import into {definition.title}</h1>
      <p class="muted">
        A CSV file with a header row, or a JSON list of records, with a column per field:{" "}
        <code>{fields}</code>. An export of {definition.title}{" "}
        is such a file. Every record is checked first: nothing is imported unless all of them are
        valid, and one Undo takes the whole import back.
        {props.profile && <>{" "}Records go to the profile {props.profile}.</>}
      </p>
      <form
        id={`${slug}-import-form`}
        class="import"
        hx-post={`/${slug}/import/preview`}
        hx-encoding="multipart/form-data"
        hx-target={`#${slug}-import-result`}
        hx-swap="innerHTML"
        hx-trigger="submit, change"
      >
        <label for={`${slug}-import-file`}>
          File (CSV or JSON)
          <input
            type="file"
            id={`${slug}-import-file`}
            name="file"
            accept=".csv,.json,text/csv,application/json"
          />
        </label>
        <label for={`${slug}-import-text`}>
          Or paste the records
          <textarea id={`${slug}-import-text`} name="text" rows={5} spellcheck={false}></textarea>
        </label>
        <div class="actions">
          <button type="submit" class="secondary">Check</button>
          <button
            type="button"
            id={`${slug}-import-commit`}
            hx-post={`/${slug}/import`}
            hx-encoding="multipart/form-data"
            hx-target={`#${slug}-import-result`}
            hx-swap="innerHTML"
          >
            Import
          </button>
          <a href={`/${slug}`} hx-get={`/${slug}`} hx-target="#main" hx-push-url="true">
            Back to {definition.title}
          </a>
        </div>
      </form>
      <div id={`${slug}-import-result`} class="undo-region import-result" aria-live="polite">
        {props.result}
      </div>
    </section>
  );
}

/** What a file holds: its first records, and every problem (or that it is ready). */
export function ImportReport(
  props: { definition: CrudDefinition; result: ImportResult; refused?: boolean },
) {
  const { definition, result } = props;
  const problems = result.problems;
  const columns = definition.fields.filter((f) => result.fields.includes(f.name));
  const count = result.rows.length;
  return (
    <div class="import-report">
      {problems.length > 0
        ? (
          <Notice kind="error">
            {props.refused ? "Nothing was imported: " : "This file cannot be imported yet: "}
            {problems.length === 1 ? "1 problem" : `${problems.length} problems`}. Fix{" "}
            {problems.length === 1 ? "it" : "them"} and try again.
          </Notice>
        )
        : (
          <Notice>
            {count === 1 ? "1 record is" : `${count.toLocaleString("en")} records are`}{" "}
            valid ({result.format.toUpperCase()}). Import adds {count === 1 ? "it" : "them all"}.
          </Notice>
        )}
      {problems.length > 0 && (
        <table class="data report">
          <caption>
            Problems (rows as a spreadsheet numbers them: the CSV header is row 1)
          </caption>
          <thead>
            <tr>
              <th scope="col">Row</th>
              <th scope="col">Field</th>
              <th scope="col">Problem</th>
            </tr>
          </thead>
          <tbody>
            {problems.slice(0, REPORT_ROWS).map((p) => (
              <tr>
                <td>{p.row === 0 ? "file" : String(p.row)}</td>
                <td>{p.field || "—"}</td>
                <td>{p.problem}</td>
              </tr>
            ))}
            {problems.length > REPORT_ROWS && (
              <tr>
                <td colspan={3} class="muted">
                  …and {problems.length - REPORT_ROWS} more.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      )}
      {count > 0 && columns.length > 0 && (
        <table class="data preview">
          <caption>
            The first {Math.min(count, PREVIEW_ROWS)} of {count.toLocaleString("en")} records
          </caption>
          <thead>
            <tr>
              {columns.map((f) => <th scope="col">{fieldLabel(f)}</th>)}
            </tr>
          </thead>
          <tbody>
            {result.rows.slice(0, PREVIEW_ROWS).map((row) => (
              <tr>
                {columns.map((f) => (
                  <td>
                    {f.type === "text" || !shows(f, row[f.name])
                      ? String(row[f.name] ?? "")
                      : <Cell field={f} value={row[f.name]} />}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
