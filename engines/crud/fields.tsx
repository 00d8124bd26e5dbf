/**
 * @module
 * Each field type's input and cell, pure: the one place a type's look
 * lives. Inputs name themselves after the field, so a form posts values the
 * service checks with `pipeline/crud/values.ts`.
 */

import type { Child } from "hono/jsx";
import { type CrudField, fieldLabel as label, isRequired } from "../../pipeline/crud/define.ts";
import { maxLengthOf } from "../../pipeline/crud/values.ts";

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** "2026-12-24" as "24 Dec 2026". */
export function showDate(day: string): string {
  const [y, m, d] = day.split("-");
  return `${Number(d)} ${MONTHS[Number(m) - 1] ?? "?"} ${y}`;
}

/** A value as the text an input holds. */
function asText(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (Array.isArray(value)) return value.join(", ");
  return String(value);
}

/** Options for {@linkcode FieldInput}. */
export interface FieldInputProps {
  field: CrudField;
  value?: unknown;
  /** The input's id (labels and focus rely on it). */
  id: string;
  autofocus?: boolean;
  /** Show the label beside the input (the edit form) instead of only to screen readers. */
  labelled?: boolean;
}

/** The input that suits a field's type. */
export function FieldInput(props: FieldInputProps) {
  const { field, id } = props;
  const required = isRequired(field);
  const text = asText(props.value);
  const name = label(field);
  if (field.type === "bool") {
    return (
      <label class="check" for={id}>
        <input type="checkbox" id={id} name={field.name} checked={props.value === true} />{" "}
        <span>{name}</span>
      </label>
    );
  }
  const common = {
    id,
    name: field.name,
    required,
    autofocus: props.autofocus,
    ...(props.labelled ? {} : { "aria-label": name }),
  };
  let input: Child;
  switch (field.type) {
    case "textarea":
      input = (
        <textarea {...common} rows={3} maxlength={maxLengthOf(field)} placeholder={name}>
          {text ?? ""}
        </textarea>
      );
      break;
    case "select":
      input = (
        <select {...common}>
          {!required && <option value="">—</option>}
          {(field.options ?? []).map((o) => <option value={o} selected={o === text}>{o}</option>)}
        </select>
      );
      break;
    case "int":
    case "number":
      input = (
        <input
          {...common}
          type="number"
          step={field.type === "int" ? "1" : "any"}
          min={field.min}
          max={field.max}
          value={text}
          placeholder={name}
        />
      );
      break;
    case "date":
      input = <input {...common} type="date" value={text} />;
      break;
    case "url":
      input = (
        <input
          {...common}
          type="url"
          value={text}
          maxlength={maxLengthOf(field)}
          placeholder="https://…"
        />
      );
      break;
    case "tags":
      input = (
        <input
          {...common}
          type="text"
          value={text}
          placeholder={`${name}, separated by commas`}
          autocomplete="off"
        />
      );
      break;
    default:
      input = (
        <input
          {...common}
          type="text"
          value={text}
          maxlength={maxLengthOf(field)}
          placeholder={name}
        />
      );
  }
  if (!props.labelled) return input;
  return (
    <label class={`field field-${field.type}`} for={id}>
      <span>{name}</span>
      {input}
    </label>
  );
}

/** Whether a record's value for `field` is worth showing in its row (not empty, not the usual). */
export function shows(field: CrudField, value: unknown): boolean {
  if (value === null || value === undefined || value === "") return false;
  if (Array.isArray(value)) return value.length > 0;
  if (field.type === "select" && field.default !== undefined) return value !== field.default;
  return true;
}

/** A value as its row shows it. */
export function Cell(props: { field: CrudField; value: unknown }) {
  const { field, value } = props;
  const name = label(field);
  switch (field.type) {
    case "date":
      return (
        <span class="cell cell-date">
          <span class="muted">{name}</span>{" "}
          <time datetime={String(value)}>
            {showDate(String(value))}
          </time>
        </span>
      );
    case "select":
      return <span class={`cell badge option`} title={name}>{String(value)}</span>;
    case "tags":
      return (
        <span class="cell cell-tags" aria-label={name}>
          {(value as string[]).map((t) => <span class="tag">{t}</span>)}
        </span>
      );
    case "url": {
      const href = String(value);
      if (!/^https?:\/\//i.test(href)) return <span class="cell">{href}</span>;
      let shown = href;
      try {
        const url = new URL(href);
        shown = (url.host + url.pathname).replace(/\/$/, "");
      } catch { /* shown as stored */ }
      return (
        <span class="cell cell-url">
          <a href={href} target="_blank" rel="noopener noreferrer nofollow">
            {shown.length > 40 ? shown.slice(0, 39) + "…" : shown}
          </a>
        </span>
      );
    }
    case "textarea":
      return <span class="cell cell-textarea muted" title={String(value)}>{String(value)}</span>;
    case "bool":
      return <span class="cell muted">{value ? name : `not ${name}`}</span>;
    default:
      return (
        <span class="cell muted">
          {name}: {String(value)}
        </span>
      );
  }
}
