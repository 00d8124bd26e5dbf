/**
 * @module
 * A CRUD app's records, pure: the add form, a row (select, toggle,
 * click-to-edit, move, delete) and a row's edit form. Focusable parts carry
 * ids derived from the record, so htmx gives the focus back to the same
 * button after the list is redrawn (a move, an update from another tab).
 */

import type { Child } from "hono/jsx";
import {
  type CrudDefinition,
  defaultOf,
  fieldLabel as label,
  inAddForm,
  titleField,
} from "../../pipeline/crud/define.ts";
import type { Record_ } from "../../services/crud/service.ts";
import { Cell, FieldInput, shows } from "./fields.tsx";

/** What every component needs to build URLs and ids, and what this view of the list allows. */
export interface RowContext {
  slug: string;
  definition: CrudDefinition;
  /** Rows can be moved by hand (manual order, no column order chosen). */
  manual?: boolean;
  /** Rows have a checkbox for changes to many at once. */
  bulk?: boolean;
}

/** Whether the app offers changes to many records at once (not the app holding profiles). */
export function offersBulk(definition: CrudDefinition): boolean {
  return definition.holds !== "profiles";
}

/**
 * How a row's toggle shows: the unusual state stands out. A toggle that is
 * off by default (done) marks the row "on" when ticked (struck through); one
 * that is on by default (active) marks it "off" when unticked (dimmed).
 */
function toggleState(definition: CrudDefinition, record: Record_): string {
  const field = definition.fields.find((f) => f.name === definition.toggle);
  if (!field) return "";
  const usual = defaultOf(field) === true;
  if (record[field.name] === true) return usual ? "" : "on";
  return usual ? "off" : "";
}

/** The add form at the top of the list. */
export function AddForm(
  props: { ctx: RowContext; values?: Record<string, unknown>; error?: string },
) {
  const { slug, definition } = props.ctx;
  const shown = definition.fields.filter(inAddForm);
  return (
    <form
      id={`${slug}-add`}
      class="inline add"
      action={`/${slug}`}
      method="post"
      hx-post={`/${slug}`}
      hx-target="this"
      hx-swap="outerHTML"
      aria-label={`Add to ${definition.title}`}
    >
      {shown.map((field, i) => (
        <FieldInput
          field={field}
          id={`${slug}-add-${field.name}`}
          value={props.values?.[field.name]}
          autofocus={i === 0 && !!props.error}
        />
      ))}
      <button type="submit">Add</button>
      <p class="field-error" role={props.error ? "alert" : undefined}>{props.error}</p>
    </form>
  );
}

/** One record. */
export function Row(props: { ctx: RowContext; record: Record_; extra?: Child }) {
  const { slug, definition, manual, bulk } = props.ctx;
  const r = props.record;
  const id = r.id as number;
  const key = `${slug}-${id}`;
  const titleName = titleField(definition);
  const title = String(r[titleName] ?? "");
  const toggle = definition.toggle;
  const cells = definition.fields.filter((f) =>
    f.name !== titleName && f.name !== toggle && shows(f, r[f.name])
  );
  const move = (by: -1 | 1) => (
    <button
      type="button"
      class="link"
      id={`${key}-${by < 0 ? "up" : "down"}`}
      title={by < 0 ? "Move up" : "Move down"}
      aria-label={`Move ${title} ${by < 0 ? "up" : "down"}`}
      hx-post={`/${slug}/${id}/move?by=${by}`}
      hx-include={`#${slug}-find`}
      hx-target={`#${slug}-results`}
      hx-swap="outerHTML"
    >
      {by < 0 ? "↑" : "↓"}
    </button>
  );
  return (
    <li id={key} class={`row ${toggleState(definition, r)}`} data-id={String(id)}>
      {bulk && (
        <input
          type="checkbox"
          class="select"
          name="ids"
          value={String(id)}
          form={`${slug}-bulk`}
          aria-label={`Select ${title}`}
        />
      )}
      {manual && <span class="drag" title="Drag to reorder" aria-hidden="true">⠿</span>}
      {toggle && (
        <input
          type="checkbox"
          class="toggle"
          id={`${key}-toggle`}
          checked={r[toggle] === true}
          aria-label={`${label(definition.fields.find((f) => f.name === toggle)!)}: ${title}`}
          hx-post={`/${slug}/${id}/toggle`}
          hx-target="closest li"
          hx-swap="outerHTML"
        />
      )}
      <span
        class="title"
        id={`${key}-title`}
        role="button"
        tabindex={0}
        title="Click to edit"
        hx-get={`/${slug}/${id}/edit`}
        hx-trigger="click, keyup[key=='Enter']"
        hx-target="closest li"
        hx-swap="outerHTML"
      >
        {title}
      </span>
      {definition.details
        ? <span class="detail">{definition.details(r)}</span>
        : cells.length > 0 && (
          <span class="cells">
            {cells.map((f) => <Cell field={f} value={r[f.name]} />)}
          </span>
        )}
      <span class="row-actions">
        {props.extra}
        {manual && (
          <>
            {move(-1)}
            {move(1)}
          </>
        )}
        <button
          type="button"
          class="link danger"
          id={`${key}-delete`}
          aria-label={`Delete ${title}`}
          hx-delete={`/${slug}/${id}`}
          hx-target="closest li"
          hx-swap="delete"
          hx-confirm={definition.holds === "profiles"
            ? `Delete "${title.slice(0, 80)}"?`
            : undefined}
        >
          Delete
        </button>
      </span>
    </li>
  );
}

/** A row being edited in place; Escape or Cancel puts the row back unchanged. */
export function EditRow(
  props: { ctx: RowContext; record: Record_; values?: Record<string, unknown>; error?: string },
) {
  const { slug, definition } = props.ctx;
  const id = props.record.id as number;
  const key = `${slug}-${id}`;
  return (
    <li id={key} class="row editing" data-id={String(id)}>
      <form
        class="edit"
        hx-post={`/${slug}/${id}`}
        hx-target="closest li"
        hx-swap="outerHTML"
        aria-label={`Edit ${String(props.record[titleField(definition)] ?? "")}`}
      >
        <div class="edit-fields">
          {definition.fields.filter((f) => f.name !== definition.toggle).map((field, i) => (
            <FieldInput
              field={field}
              id={`${key}-edit-${field.name}`}
              value={(props.values ?? props.record)[field.name]}
              autofocus={i === 0}
              labelled
            />
          ))}
        </div>
        <div class="actions">
          <button type="submit">Save</button>
          <button
            type="button"
            class="secondary"
            data-cancel
            hx-get={`/${slug}/${id}`}
            hx-target="closest li"
            hx-swap="outerHTML"
          >
            Cancel
          </button>
          <span class="muted hint">Esc cancels</span>
        </div>
        <p class="field-error" role={props.error ? "alert" : undefined}>{props.error}</p>
      </form>
    </li>
  );
}
