/**
 * @module
 * The CRUD engine: a `defineCrud` plugin's routes under `/<slug>`, each a
 * thin layer over the service, so the buttons and the LLM share one path.
 * Validation failures re-render the form with the message; unknown or
 * foreign records are a 404 with nothing changed.
 */

import { type Context, Hono } from "hono";
import { ValidationError } from "../../lib/errors.ts";
import { type FormFields, readForm } from "../../lib/form.ts";
import type { CrudDefinition } from "../../pipeline/crud/define.ts";
import type { LoadedPlugin } from "../../pipeline/plugin.ts";
import type { CrudService } from "../../services/crud/service.ts";
import type { Deps } from "../../web/deps.ts";
import { html, render } from "../../web/shell.tsx";
import { idOf } from "./ids.ts";
import { profileRoutes, profileRowExtra } from "./profiles.tsx";
import { AddForm, AppCard, EditRow, List, Row, type RowContext } from "./rows.tsx";

/** Form fields as values for `fields` (a checkbox left out means false). */
function formValues(
  definition: CrudDefinition,
  form: FormFields,
  names: string[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of definition.fields) {
    if (!names.includes(field.name)) continue;
    const raw = form[field.name];
    if (raw instanceof File) {
      throw new ValidationError(
        definition.name,
        field.name,
        `${field.name} takes text, not a file.`,
      );
    }
    out[field.name] = field.type === "bool" ? raw === "on" || raw === "true" : raw;
  }
  return out;
}

/** Mount the CRUD `plugin`. */
export function mountCrud(deps: Deps, plugin: LoadedPlugin<CrudDefinition>): Hono {
  const { definition, slug } = plugin;
  const service: CrudService = deps.services.crud.get(slug);
  const ctx = (): RowContext => ({ slug, definition });
  const extra = definition.holds === "profiles" ? profileRowExtra(deps, slug) : undefined;
  const addNames = definition.fields.filter((f) => f.inForm ?? f.type === "text").map((f) =>
    f.name
  );
  const editNames = definition.fields.filter((f) => f.name !== definition.toggle).map((f) =>
    f.name
  );

  const card = (
    c: Context,
    options: { form?: ReturnType<typeof AddForm>; status?: 200 | 422 } = {},
  ) =>
    render(
      c,
      deps,
      <AppCard ctx={ctx()} records={service.list()} form={options.form} extra={extra} />,
      {
        title: definition.title,
        status: options.status,
      },
    );
  const list = (c: Context) => html(c, <List ctx={ctx()} records={service.list()} extra={extra} />);

  const app = new Hono();
  // Registered first so they take precedence over the generic routes below.
  if (definition.holds === "profiles") profileRoutes(app, deps, slug);
  app
    .get("/", (c) => card(c))
    .get("/list", (c) => list(c))
    .post("/", async (c) => {
      const values = formValues(definition, await readForm(c), addNames);
      const fromHtmx = c.req.header("hx-request") === "true";
      let record;
      try {
        record = service.insert(values, "ui").record!;
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        const form = <AddForm ctx={ctx()} values={values} error={error.message} />;
        return fromHtmx ? html(c, form, 422) : card(c, { form, status: 422 });
      }
      if (!fromHtmx) return card(c);
      // A fresh form, and the new row appended: the cost does not grow with the list.
      return html(
        c,
        <>
          <AddForm ctx={ctx()} />
          <hx-partial hx-target={`#${slug}-list`} hx-swap="beforeend">
            <Row ctx={ctx()} record={record} extra={extra?.(record)} />
          </hx-partial>
        </>,
      );
    })
    .post("/sort", async (c) => {
      const form = await readForm(c);
      const order = String(form.order ?? "").split(",").filter(Boolean).map((s) =>
        /^\d+$/.test(s) ? Number(s) : NaN
      );
      service.sort(order, "ui");
      return list(c);
    })
    .get(
      "/:id",
      (c) =>
        html(
          c,
          <Row ctx={ctx()} record={service.get(idOf(c))} extra={extra?.(service.get(idOf(c)))} />,
        ),
    )
    .get("/:id/edit", (c) => html(c, <EditRow ctx={ctx()} record={service.get(idOf(c))} />))
    .post("/:id", async (c) => {
      const id = idOf(c);
      const record = service.get(id);
      const values = formValues(definition, await readForm(c), editNames);
      try {
        const { record: after } = service.update(id, values, "ui");
        return html(c, <Row ctx={ctx()} record={after!} extra={extra?.(after!)} />);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        return html(
          c,
          <EditRow ctx={ctx()} record={record} values={values} error={error.message} />,
          422,
        );
      }
    })
    .post("/:id/toggle", (c) => {
      const { record } = service.toggle(idOf(c), "ui");
      return html(c, <Row ctx={ctx()} record={record!} extra={extra?.(record!)} />);
    })
    .post("/:id/move", (c) => {
      const by = c.req.query("by") === "-1" ? -1 : 1;
      service.move(idOf(c), by, "ui");
      return list(c);
    })
    .delete("/:id", (c) => {
      service.delete(idOf(c), "ui");
      return c.html("");
    });
  return app;
}
