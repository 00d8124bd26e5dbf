/**
 * @module
 * A CRUD app's rendering, pure: the app card with its add form, the list,
 * a row (toggle, click-to-edit, move, delete) and a row's edit form.
 */

import type { Child } from "hono/jsx";
import {
  type CrudDefinition,
  type CrudField,
  fieldLabel as label,
  isRequired,
  titleField,
} from "../../pipeline/crud/define.ts";
import { MAX_TEXT } from "../../pipeline/crud/values.ts";
import type { Record_ } from "../../services/crud/service.ts";

/** What every component needs to build URLs and ids. */
export interface RowContext {
  slug: string;
  definition: CrudDefinition;
}

function FieldInput(props: { field: CrudField; value?: unknown; autofocus?: boolean }) {
  const { field } = props;
  const required = isRequired(field);
  if (field.type === "bool") {
    return (
      <label class="check">
        <input type="checkbox" name={field.name} checked={props.value === true} /> {label(field)}
      </label>
    );
  }
  return (
    <input
      name={field.name}
      type={field.type === "int" ? "number" : "text"}
      value={props.value === null || props.value === undefined ? undefined : String(props.value)}
      placeholder={label(field)}
      aria-label={label(field)}
      required={required}
      maxlength={field.type === "text" ? field.maxLength ?? MAX_TEXT : undefined}
      autofocus={props.autofocus}
    />
  );
}

/** The add form at the top of the list. */
export function AddForm(
  props: { ctx: RowContext; values?: Record<string, unknown>; error?: string },
) {
  const { slug, definition } = props.ctx;
  const shown = definition.fields.filter((f) => f.inForm ?? f.type === "text");
  return (
    <form
      id={`${slug}-add`}
      class="inline add"
      hx-post={`/${slug}`}
      hx-target="this"
      hx-swap="outerHTML"
    >
      {shown.map((field, i) => (
        <FieldInput
          field={field}
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
  const { slug, definition } = props.ctx;
  const r = props.record;
  const id = r.id as number;
  const title = String(r[titleField(definition)] ?? "");
  const toggle = definition.toggle;
  const details = definition.fields.filter((f) =>
    f.name !== titleField(definition) && f.name !== toggle && r[f.name] !== null && r[f.name] !== ""
  );
  return (
    <li id={`${slug}-${id}`} class={`row ${toggle && r[toggle] ? "on" : ""}`} data-id={String(id)}>
      {definition.sort && <span class="drag" title="Drag to reorder" aria-hidden="true">⠿</span>}
      {toggle && (
        <input
          type="checkbox"
          checked={r[toggle] === true}
          aria-label={`${label(definition.fields.find((f) => f.name === toggle)!)}: ${title}`}
          hx-post={`/${slug}/${id}/toggle`}
          hx-target="closest li"
          hx-swap="outerHTML"
        />
      )}
      <span
        class="title"
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
        : details.map((f) => <span class="muted detail">{label(f)}: {String(r[f.name])}</span>)}
      <span class="row-actions">
        {props.extra}
        {definition.sort && (
          <>
            <button
              type="button"
              class="link"
              title="Move up"
              aria-label={`Move ${title} up`}
              hx-post={`/${slug}/${id}/move?by=-1`}
              hx-target={`#${slug}-list`}
              hx-swap="outerHTML"
            >
              ↑
            </button>
            <button
              type="button"
              class="link"
              title="Move down"
              aria-label={`Move ${title} down`}
              hx-post={`/${slug}/${id}/move?by=1`}
              hx-target={`#${slug}-list`}
              hx-swap="outerHTML"
            >
              ↓
            </button>
          </>
        )}
        <button
          type="button"
          class="link danger"
          aria-label={`Delete ${title}`}
          hx-delete={`/${slug}/${id}`}
          hx-target="closest li"
          hx-swap="outerHTML"
          hx-confirm={`Delete "${title.slice(0, 80)}"?`}
        >
          Delete
        </button>
      </span>
    </li>
  );
}

/** A row being edited in place. */
export function EditRow(
  props: { ctx: RowContext; record: Record_; values?: Record<string, unknown>; error?: string },
) {
  const { slug, definition } = props.ctx;
  const id = props.record.id as number;
  return (
    <li id={`${slug}-${id}`} class="row editing" data-id={String(id)}>
      <form
        class="edit inline"
        hx-post={`/${slug}/${id}`}
        hx-target="closest li"
        hx-swap="outerHTML"
      >
        {definition.fields.filter((f) => f.name !== definition.toggle).map((field, i) => (
          <FieldInput
            field={field}
            value={(props.values ?? props.record)[field.name]}
            autofocus={i === 0}
          />
        ))}
        <button type="submit">Save</button>
        <button
          type="button"
          class="secondary"
          hx-get={`/${slug}/${id}`}
          hx-target="closest li"
          hx-swap="outerHTML"
        >
          Cancel
        </button>
        <p class="field-error" role={props.error ? "alert" : undefined}>{props.error}</p>
      </form>
    </li>
  );
}

/** The list; it refetches itself when another page changes the app (unless a row is being edited). */
export function List(
  props: { ctx: RowContext; records: Record_[]; extra?: (r: Record_) => Child },
) {
  const { slug, definition } = props.ctx;
  return (
    <ul
      id={`${slug}-list`}
      class={`crud-list ${definition.sort ? "sortable" : ""}`}
      data-sort-url={definition.sort ? `/${slug}/sort` : undefined}
      hx-get={`/${slug}/list`}
      hx-trigger={`${slug}:changed[!document.querySelector('#${slug}-list form.edit')] from:body`}
      hx-swap="outerHTML"
    >
      {props.records.map((record) => (
        <Row ctx={props.ctx} record={record} extra={props.extra?.(record)} />
      ))}
      {props.records.length === 0 && <li class="empty muted">Nothing here yet.</li>}
    </ul>
  );
}

/** The whole app card. */
export function AppCard(
  props: {
    ctx: RowContext;
    records: Record_[];
    form?: Child;
    extra?: (r: Record_) => Child;
    notice?: Child;
  },
) {
  const { slug, definition } = props.ctx;
  return (
    <section class="card crud" id={`${slug}-app`}>
      <h1>{definition.title}</h1>
      <p class="muted">{definition.description}</p>
      {props.notice}
      {props.form ?? <AddForm ctx={props.ctx} />}
      <List ctx={props.ctx} records={props.records} extra={props.extra} />
    </section>
  );
}
