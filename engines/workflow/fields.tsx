/**
 * @module
 * A step's fields, pure: the input for each kind with its label, help and
 * message (tied together with `aria-describedby`, so a screen reader reads
 * the message with the field), and a stored value as a person reads it on a
 * completed card. Groups of choices (radio, multiselect) are fieldsets, so
 * the arrow keys and Space work as the browser makes them.
 */

import type { Child } from "hono/jsx";
import {
  fieldLabelOf,
  fieldsOf,
  type FieldSpec,
  type FieldValue,
  type FileRef,
  isRequiredField,
  type Row,
  type StepSpec,
} from "../../pipeline/workflow/define.ts";
import { optionsOf } from "../../pipeline/workflow/values.ts";

/** What a form shows in a field: a stored value, or text as typed. */
export type ShownValue = FieldValue | string | string[] | undefined;

function text(value: ShownValue): string | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) return value.length > 0 ? String(value.at(-1)) : undefined;
  return String(value);
}

function list(value: ShownValue): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

/** Ids tying a field's input, help and message together. */
export function fieldIds(step: StepSpec, field: FieldSpec) {
  const base = `${step.id}-${field.name}`;
  return { input: `field-${base}`, help: `help-${base}`, error: `error-${base}` };
}

/** The options of a select, in `<optgroup>`s when they name groups. */
function SelectOptions(props: { field: FieldSpec; value?: string }) {
  const groups: { group?: string; options: ReturnType<typeof optionsOf> }[] = [];
  for (const option of optionsOf(props.field)) {
    const last = groups.at(-1);
    if (last && last.group === option.group) last.options.push(option);
    else groups.push({ group: option.group, options: [option] });
  }
  const render = (options: ReturnType<typeof optionsOf>) =>
    options.map((o) => (
      <option value={o.value} selected={o.value === props.value}>{o.label}</option>
    ));
  return (
    <>
      <option value="">Choose…</option>
      {groups.map((g) =>
        g.group ? <optgroup label={g.group}>{render(g.options)}</optgroup> : render(g.options)
      )}
    </>
  );
}

/** One field: label, help, input and message. */
export function FieldInput(props: {
  step: StepSpec;
  field: FieldSpec;
  value?: ShownValue;
  error?: string;
  autofocus?: boolean;
}) {
  const { step, field, error } = props;
  const ids = fieldIds(step, field);
  const label = fieldLabelOf(step, field);
  const required = isRequiredField(field);
  const described = [field.help ? ids.help : "", ids.error].filter(Boolean).join(" ");
  const invalid = error ? "true" : undefined;
  const common = {
    name: field.name,
    id: ids.input,
    required,
    "aria-invalid": invalid,
    "aria-describedby": described,
    autofocus: props.autofocus,
  };
  const help = field.help && <p id={ids.help} class="field-help muted">{field.help}</p>;
  const message = (
    <p id={ids.error} class="field-error" role={error ? "alert" : undefined}>{error}</p>
  );
  const value = text(props.value);
  if (field.kind === "radio" || field.kind === "multiselect") {
    const chosen = list(props.value);
    const type = field.kind === "radio" ? "radio" : "checkbox";
    return (
      <fieldset
        class={`field choices ${field.kind}`}
        aria-describedby={described}
        aria-invalid={invalid}
        id={ids.input}
      >
        <legend>
          {label}
          {required ? "" : (
            <>
              {" "}
              <span class="muted">(optional)</span>
            </>
          )}
        </legend>
        {help}
        {optionsOf(field).map((o, i) => (
          <label class="choice">
            <input
              type={type}
              name={field.name}
              value={o.value}
              checked={chosen.includes(o.value)}
              required={type === "radio" && required}
              autofocus={props.autofocus && i === 0}
            />{" "}
            {o.label}
          </label>
        ))}
        {message}
      </fieldset>
    );
  }
  let input: Child;
  switch (field.kind) {
    case "textarea":
      input = (
        <textarea {...common} rows={5} maxlength={field.maxLength} placeholder={field.placeholder}>
          {value ?? ""}
        </textarea>
      );
      break;
    case "select":
      input = (
        <select {...common}>
          <SelectOptions field={field} value={value} />
        </select>
      );
      break;
    case "checkbox":
      input = (
        <input
          {...common}
          type="checkbox"
          checked={props.value === true || value === "on" || value === "true"}
        />
      );
      break;
    case "number":
      input = (
        <input
          {...common}
          type="number"
          step={field.step ?? "any"}
          min={field.min}
          max={field.max}
          value={value}
        />
      );
      break;
    case "range": {
      const min = field.min ?? 0;
      const max = field.max ?? 100;
      const shown = value ?? String(Math.round((min + max) / 2));
      input = (
        <span class="range-input">
          <input
            {...common}
            type="range"
            min={min}
            max={max}
            step={field.step ?? 1}
            value={shown}
            data-range-output={`${ids.input}-value`}
          />
          <output id={`${ids.input}-value`} for={ids.input} aria-hidden="true">{shown}</output>
        </span>
      );
      break;
    }
    case "date":
      input = <input {...common} type="date" value={value} />;
      break;
    case "file":
      input = <input {...common} type="file" accept={field.accept} />;
      break;
    case "files":
      input = <input {...common} type="file" multiple accept={field.accept} />;
      break;
    case "url":
    case "email":
      input = (
        <input
          {...common}
          type={field.kind}
          maxlength={field.maxLength}
          placeholder={field.placeholder}
          value={value}
          autocomplete={field.kind === "email" ? "email" : "url"}
        />
      );
      break;
    default:
      input = (
        <input
          {...common}
          type="text"
          maxlength={field.maxLength}
          placeholder={field.placeholder}
          value={value}
        />
      );
  }
  return (
    <div class={`field ${field.kind}`}>
      <label for={ids.input}>
        {label}
        {required || field.kind === "checkbox" ? "" : (
          <>
            {" "}
            <span class="muted">(optional)</span>
          </>
        )}
      </label>
      {help}
      {input}
      {message}
    </div>
  );
}

function isFileRef(value: unknown): value is FileRef {
  return typeof value === "object" && value !== null && "original" in value && "bytes" in value;
}

/** A stored value as a person reads it. */
export function ValueView(props: {
  field?: FieldSpec;
  value: FieldValue;
  fileUrl: (file: FileRef) => string;
}) {
  const { field, value } = props;
  if (typeof value === "boolean") return <>{value ? "Yes" : "No"}</>;
  if (Array.isArray(value)) {
    if (value.length === 0) return <span class="muted">none</span>;
    if (value.every(isFileRef)) {
      return (
        <ul class="files">
          {(value as FileRef[]).map((f) => (
            <li>
              <a href={props.fileUrl(f)} download={f.original}>{f.original}</a>{" "}
              <span class="muted">({f.bytes.toLocaleString("en")} bytes)</span>
            </li>
          ))}
        </ul>
      );
    }
    if (value.every((v) => typeof v === "string")) {
      const labels = field ? optionsOf(field) : [];
      return (
        <>
          {(value as string[]).map((v) => labels.find((o) => o.value === v)?.label ?? v).join(", ")}
        </>
      );
    }
    return <span class="muted">{(value as Row[]).length} rows</span>;
  }
  if (field && (field.kind === "select" || field.kind === "radio")) {
    return <>{optionsOf(field).find((o) => o.value === value)?.label ?? String(value)}</>;
  }
  if (field?.kind === "url") {
    return <a href={String(value)} rel="noopener noreferrer" target="_blank">{String(value)}</a>;
  }
  if (field?.kind === "file" && typeof value === "string") {
    const original = value.slice(value.indexOf("-") + 1);
    return (
      <a href={props.fileUrl({ name: value, original, bytes: 0, type: "" })} download={original}>
        {original}
      </a>
    );
  }
  return <>{String(value)}</>;
}

/** A completed step's values: one field without a label of its own shows its value alone. */
export function StepValuesView(props: {
  step: StepSpec;
  values: Record<string, FieldValue>;
  fileUrl: (file: FileRef) => string;
}) {
  const { step, values } = props;
  const fields = fieldsOf(step);
  const only = fields.length === 1 && !fields[0]!.label ? fields[0]! : undefined;
  const extra = Object.entries(values).filter(([name]) =>
    !fields.some((f) => f.name === name || (f.kind === "file" && name === `${f.name}_bytes`))
  );
  if (only && extra.length === 0 && values[only.name] !== undefined) {
    return (
      <p class="value">
        <ValueView field={only} value={values[only.name]!} fileUrl={props.fileUrl} />
      </p>
    );
  }
  return (
    <dl class="values">
      {fields.filter((f) => values[f.name] !== undefined).map((f) => (
        <>
          <dt>{fieldLabelOf(step, f)}</dt>
          <dd>
            <ValueView field={f} value={values[f.name]!} fileUrl={props.fileUrl} />
          </dd>
        </>
      ))}
      {extra.map(([name, value]) => (
        <>
          <dt>{name}</dt>
          <dd>
            <ValueView value={value} fileUrl={props.fileUrl} />
          </dd>
        </>
      ))}
    </dl>
  );
}
