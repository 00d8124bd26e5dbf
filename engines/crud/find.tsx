/**
 * @module
 * The find form of a CRUD app, pure: the search box, a filter per field type
 * (done or not, a select's values, a date range, a tag) and the order. Any
 * change redraws the results region, debounced while typing; the form
 * itself stays, so the focus and what is typed stay with it.
 */

import { fieldLabel as label } from "../../pipeline/crud/define.ts";
import { filterable, type ListQuery, searchable, sortable } from "../../pipeline/crud/query.ts";
import type { RowContext } from "./rows.tsx";

/** The search box, filters and order; every change redraws the results (debounced while typing). */
export function FindForm(props: { ctx: RowContext; query: ListQuery }) {
  const { slug, definition } = props.ctx;
  const { query } = props;
  const value = (name: string) => {
    const f = query.filters.find((f) => f.field === name);
    if (!f) return "";
    if (f.kind === "bool") return f.value ? "yes" : "no";
    if (f.kind === "in" || f.kind === "tags") return f.values[0] ?? "";
    return "";
  };
  const range = (name: string) => {
    const f = query.filters.find((f) => f.field === name);
    return f?.kind === "range" ? f : { from: undefined, to: undefined };
  };
  const sortValue = query.sort ? `${query.sort.desc ? "-" : ""}${query.sort.field}` : "";
  const words = (type: string): [string, string] =>
    type === "date"
      ? ["earliest first", "latest first"]
      : type === "int" || type === "number"
      ? ["smallest first", "largest first"]
      : type === "bool"
      ? ["no first", "yes first"]
      : ["A–Z", "Z–A"];
  return (
    <form
      id={`${slug}-find`}
      class="find"
      role="search"
      action={`/${slug}`}
      method="get"
      hx-get={`/${slug}/list`}
      hx-target={`#${slug}-results`}
      hx-swap="outerHTML"
      hx-trigger="submit, input delay:250ms, change"
      hx-sync="this:replace"
      aria-label={`Find in ${definition.title}`}
    >
      {searchable(definition) && (
        <input
          type="search"
          name="q"
          id={`${slug}-q`}
          value={query.q}
          placeholder="Search…"
          aria-label={`Search ${definition.title}`}
          autocomplete="off"
          maxlength={200}
        />
      )}
      {filterable(definition).map((field) => {
        const name = label(field);
        if (field.type === "bool") {
          return (
            <select name={field.name} id={`${slug}-filter-${field.name}`} aria-label={name}>
              <option value="">{name}: any</option>
              <option value="no" selected={value(field.name) === "no"}>not {name}</option>
              <option value="yes" selected={value(field.name) === "yes"}>{name}</option>
            </select>
          );
        }
        if (field.type === "select") {
          return (
            <select name={field.name} id={`${slug}-filter-${field.name}`} aria-label={name}>
              <option value="">{name}: any</option>
              {(field.options ?? []).map((o) => (
                <option value={o} selected={value(field.name) === o}>{o}</option>
              ))}
            </select>
          );
        }
        if (field.type === "date") {
          const r = range(field.name);
          return (
            <span class="range" role="group" aria-label={`${name} between`}>
              <span class="muted" aria-hidden="true">{name}</span>
              <input
                type="date"
                name={`${field.name}.from`}
                id={`${slug}-filter-${field.name}-from`}
                value={r.from}
                aria-label={`${name} from`}
              />
              <span aria-hidden="true">–</span>
              <input
                type="date"
                name={`${field.name}.to`}
                id={`${slug}-filter-${field.name}-to`}
                value={r.to}
                aria-label={`${name} until`}
              />
            </span>
          );
        }
        return (
          <input
            type="text"
            name={field.name}
            id={`${slug}-filter-${field.name}`}
            value={value(field.name)}
            placeholder={`${name}…`}
            aria-label={`Has ${name}`}
            autocomplete="off"
            class="tag-filter"
          />
        );
      })}
      <select name="sort" id={`${slug}-sort`} aria-label="Order">
        <option value="">{definition.sort ? "Your order" : "Oldest first"}</option>
        {sortable(definition).flatMap((field) => {
          const [up, down] = words(field.type);
          return [
            <option value={field.name} selected={sortValue === field.name}>
              {label(field)}, {up}
            </option>,
            <option value={`-${field.name}`} selected={sortValue === `-${field.name}`}>
              {label(field)}, {down}
            </option>,
          ];
        })}
      </select>
      <noscript>
        <button type="submit">Find</button>
      </noscript>
      <a
        class="clear"
        href={`/${slug}`}
        hx-get={`/${slug}`}
        hx-target="#main"
        hx-push-url="true"
      >
        Clear
      </a>
    </form>
  );
}
