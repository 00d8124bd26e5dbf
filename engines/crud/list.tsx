/**
 * @module
 * A CRUD app's page, pure: the card (add form, the find form of `find.tsx`,
 * the undo notices), and the results region the find form redraws — how many
 * records match, export links, the bulk bar, a page of rows and "show
 * more". The results region carries its query, so a live update from
 * another tab redraws the same view.
 */

import type { Child } from "hono/jsx";
import { fieldLabel as label } from "../../pipeline/crud/define.ts";
import { isManualOrder, isNarrowed, type ListQuery } from "../../pipeline/crud/query.ts";
import type { Record_ } from "../../services/crud/service.ts";
import { FindForm } from "./find.tsx";
import { AddForm, offersBulk, Row, type RowContext } from "./rows.tsx";

/** Rows drawn at a time; "Show more" draws the next ones. */
export const PAGE = 100;

/** The view a results region draws. */
export interface View {
  query: ListQuery;
  /** The query's canonical string ("" for everything). */
  qs: string;
  records: Record_[];
  total: number;
  /** Profiles records may be moved to (scoped apps), the current one left out. */
  profiles: { id: number; name: string }[];
}

/** The row context for a view. */
export function viewContext(ctx: RowContext, query: ListQuery): RowContext {
  return { ...ctx, manual: isManualOrder(ctx.definition, query), bulk: offersBulk(ctx.definition) };
}

function plural(n: number, noun: string): string {
  return `${n.toLocaleString("en")} ${n === 1 ? "record" : noun}`;
}

/** The bar that changes the selected records at once; its buttons wait for a selection. */
function BulkBar(props: { ctx: RowContext; view: View }) {
  const { slug, definition } = props.ctx;
  const toggle = definition.fields.find((f) => f.name === definition.toggle);
  const scoped = definition.scope === "profile";
  return (
    <form
      id={`${slug}-bulk`}
      class="bulk inline"
      hx-post={`/${slug}/bulk`}
      hx-target={`#${slug}-undo`}
      hx-swap="innerHTML"
      hx-confirm="Change the selected records?"
      aria-label="Change the selected records"
      data-total={String(props.view.total)}
    >
      <input type="hidden" name="query" value={props.view.qs} />
      <span class="selected muted" aria-live="polite">
        <span data-count>0</span> selected
      </span>
      {toggle && (
        <>
          <button type="submit" name="change" value="on" class="secondary" disabled>
            Mark {label(toggle)}
          </button>
          <button type="submit" name="change" value="off" class="secondary" disabled>
            Mark not {label(toggle)}
          </button>
        </>
      )}
      <button type="submit" name="change" value="delete" class="secondary danger" disabled>
        Delete
      </button>
      {scoped && props.view.profiles.length > 0 && (
        <span class="move-to">
          <select name="profile" id={`${slug}-bulk-profile`} aria-label="Profile to move them to">
            {props.view.profiles.map((p) => <option value={String(p.id)}>{p.name}</option>)}
          </select>
          <button type="submit" name="change" value="transfer" class="secondary" disabled>
            Move to profile
          </button>
        </span>
      )}
    </form>
  );
}

/** "Show more": the next page of rows, appended to the list. */
export function More(props: { slug: string; qs: string; offset: number; total: number }) {
  const left = props.total - props.offset;
  if (left <= 0) return null;
  const sep = props.qs ? `${props.qs}&` : "";
  return (
    <button
      type="button"
      class="secondary more"
      id={`${props.slug}-more`}
      hx-get={`/${props.slug}/more?${sep}offset=${props.offset}`}
      hx-target="this"
      hx-swap="outerHTML"
    >
      Show {Math.min(left, PAGE).toLocaleString("en")} more (of {left.toLocaleString("en")})
    </button>
  );
}

/** The rows of a view (also what "Show more" appends). */
export function Rows(
  props: { ctx: RowContext; records: Record_[]; extra?: (r: Record_) => Child },
) {
  return (
    <>
      {props.records.map((record) => (
        <Row ctx={props.ctx} record={record} extra={props.extra?.(record)} />
      ))}
    </>
  );
}

/** Everything the find form redraws. */
export function Results(
  props: { ctx: RowContext; view: View; extra?: (r: Record_) => Child },
) {
  const { slug, definition } = props.ctx;
  const { view } = props;
  const ctx = viewContext(props.ctx, view.query);
  const noun = definition.title.toLowerCase();
  const narrowed = isNarrowed(view.query);
  const sep = view.qs ? `?${view.qs}` : "";
  return (
    <div
      id={`${slug}-results`}
      class="results"
      hx-get={`/${slug}/list${sep}`}
      hx-trigger={`${slug}:changed[!document.querySelector('#${slug}-list form.edit')] from:body`}
      hx-swap="outerHTML"
    >
      <div class="results-head">
        {ctx.bulk && view.total > 0 && (
          <label class="check select-all">
            <input
              type="checkbox"
              name="all"
              value="1"
              id={`${slug}-all`}
              form={`${slug}-bulk`}
              data-select-all
            />{" "}
            <span>
              Select all {view.total.toLocaleString("en")}
              {narrowed ? " matching" : ""}
            </span>
          </label>
        )}
        <span class="count muted" id={`${slug}-count`}>
          {narrowed
            ? `${plural(view.total, noun)} ${view.total === 1 ? "matches" : "match"}`
            : plural(view.total, noun)}
        </span>
        {view.total > 0 && (
          <span class="export muted">
            Export <a href={`/${slug}/export.csv${sep}`} download>CSV</a>{" "}
            <a href={`/${slug}/export.json${sep}`} download>JSON</a>
          </span>
        )}
      </div>
      {ctx.bulk && view.total > 0 && <BulkBar ctx={ctx} view={view} />}
      <ul
        id={`${slug}-list`}
        class={`crud-list ${ctx.manual ? "sortable" : ""}`}
        data-sort-url={ctx.manual ? `/${slug}/reorder` : undefined}
        aria-label={definition.title}
      >
        <Rows ctx={ctx} records={view.records} extra={props.extra} />
        {view.records.length === 0 && (
          <li class="empty muted">{narrowed ? "Nothing matches." : "Nothing here yet."}</li>
        )}
      </ul>
      <More slug={slug} qs={view.qs} offset={view.records.length} total={view.total} />
    </div>
  );
}

/** A short notice of what a change did, with its Undo (Ctrl+Z when the focus is not in a text field). */
export function UndoNotice(props: { slug: string; message: string; token?: string }) {
  return (
    <div class="notice info undo">
      <span>{props.message}</span>
      {props.token && (
        <button
          type="button"
          class="link"
          data-undo
          hx-post={`/${props.slug}/undo/${props.token}`}
          hx-target="closest .undo-region"
          hx-swap="innerHTML"
          aria-keyshortcuts="Control+Z"
          title="Undo (Ctrl+Z)"
        >
          Undo
        </button>
      )}
      <button type="button" class="link dismiss" data-dismiss aria-label="Dismiss this notice">
        ✕
      </button>
    </div>
  );
}

/** The whole app card. */
export function AppCard(
  props: {
    ctx: RowContext;
    view: View;
    form?: Child;
    extra?: (r: Record_) => Child;
    notice?: Child;
  },
) {
  const { slug, definition } = props.ctx;
  return (
    <section class="card crud" id={`${slug}-app`} data-app={slug}>
      <div class="crud-head">
        <h1>{definition.title}</h1>
        <span class="crud-tools">
          {definition.restorable && (
            <button
              type="button"
              class="secondary"
              id={`${slug}-restore`}
              hx-post={`/${slug}/restore`}
              hx-target={`#${slug}-undo`}
              hx-swap="innerHTML"
              hx-confirm={`Replace every record of ${definition.title} with the defaults? Undo brings them back.`}
            >
              Restore defaults
            </button>
          )}
          <a
            href={`/${slug}/import`}
            hx-get={`/${slug}/import`}
            hx-target="#main"
            hx-push-url="true"
          >
            Import…
          </a>
        </span>
      </div>
      <p class="muted">{definition.description}</p>
      {props.form ?? <AddForm ctx={props.ctx} />}
      <FindForm ctx={props.ctx} query={props.view.query} />
      <div id={`${slug}-undo`} class="undo-region" aria-live="polite">{props.notice}</div>
      <Results ctx={props.ctx} view={props.view} extra={props.extra} />
    </section>
  );
}
