/**
 * @module
 * The CRUD engine: a `defineCrud` plugin's routes under `/<slug>`, each a
 * thin layer over the service, so the buttons and the LLM share one path.
 * Validation failures re-render the form with the message; unknown or
 * foreign records are a 404 with nothing changed. Every change answers
 * with a notice whose Undo sends back only a token (`services/undo.ts`).
 * What the list shows lives in the URL's query string (`pipeline/crud/query.ts`).
 */

import { type Context, Hono } from "hono";
import type { Child } from "hono/jsx";
import { ValidationError } from "../../lib/errors.ts";
import { type FormFields, readForm, readFormLists } from "../../lib/form.ts";
import type { CrudDefinition } from "../../pipeline/crud/define.ts";
import { EVERYTHING, parseQuery, queryString } from "../../pipeline/crud/query.ts";
import { toCsv, toJson } from "../../pipeline/crud/transfer.ts";
import type { LoadedPlugin } from "../../pipeline/plugin.ts";
import type { CrudService } from "../../services/crud/service.ts";
import type { CrudOutcome } from "../../services/events.ts";
import type { Deps } from "../../web/deps.ts";
import { html, render } from "../../web/shell.tsx";
import { idOf } from "./ids.ts";
import { importRoutes } from "./import_routes.tsx";
import { AppCard, More, PAGE, Results, Rows, UndoNotice, type View, viewContext } from "./list.tsx";
import { profileRoutes, profileRowExtra } from "./profiles.tsx";
import { AddForm, EditRow, Row, type RowContext } from "./rows.tsx";

/** The most rows a redraw keeps ("Show more" pages already open stay open up to this). */
const MAX_SHOWN = 2_000;

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
  const { services } = deps;
  const service: CrudService = services.crud.get(slug);
  const base: RowContext = { slug, definition };
  const extra = definition.holds === "profiles" ? profileRowExtra(deps, slug) : undefined;
  const addNames = definition.fields.filter((f) => f.inForm ?? f.type === "text").map((f) =>
    f.name
  );
  const editNames = definition.fields.filter((f) => f.name !== definition.toggle).map((f) =>
    f.name
  );
  const rowCtx = () => viewContext(base, EVERYTHING);

  /** The view of `params` (a query string's), drawing at least a page and at most `shown` rows. */
  function viewOf(params: URLSearchParams, shown = PAGE): View {
    const query = parseQuery(definition, params);
    const limit = Math.min(Math.max(PAGE, Number.isSafeInteger(shown) ? shown : PAGE), MAX_SHOWN);
    const found = service.find(query, { limit, offset: 0 });
    const current = services.profiles.current().id;
    return {
      query,
      qs: queryString(definition, query),
      records: found.records,
      total: found.total,
      profiles: definition.scope === "profile"
        ? services.profiles.choices().filter((p) => p.id !== current)
        : [],
    };
  }
  const paramsOf = (c: Context) => new URL(c.req.url).searchParams;
  const shownOf = (value: unknown) => Number(typeof value === "string" ? value : "") || PAGE;

  /** Make a change through the service, its undo kept in the same transaction. */
  const tracked = (change: () => CrudOutcome) => services.undo.track(change);
  /** What a change did, with its Undo when it has one. */
  const notice = (outcome: CrudOutcome & { token?: string }) => (
    <UndoNotice
      slug={slug}
      message={outcome.message}
      token={outcome.token ??
        (outcome.undo ? services.undo.keep(outcome.undo, outcome.message) : undefined)}
    />
  );
  const noticePartial = (outcome: CrudOutcome) => (
    <hx-partial hx-target={`#${slug}-undo`} hx-swap="innerHTML">{notice(outcome)}</hx-partial>
  );
  const row = (record: Record<string, unknown>) => (
    <Row ctx={rowCtx()} record={record} extra={extra?.(record)} />
  );
  const card = (c: Context, options: { form?: Child; status?: 200 | 422 } = {}) =>
    render(
      c,
      deps,
      <AppCard
        ctx={base}
        view={viewOf(paramsOf(c))}
        form={options.form}
        extra={extra}
      />,
      { title: definition.title, status: options.status },
    );
  const results = (view: View) => <Results ctx={base} view={view} extra={extra} />;

  const app = new Hono();
  // Registered first so they take precedence over the generic routes below.
  if (definition.holds === "profiles") profileRoutes(app, deps, slug, notice);
  importRoutes(app, deps, plugin, notice);
  app
    .get("/", (c) => card(c))
    .get("/list", (c) => {
      const view = viewOf(paramsOf(c), shownOf(c.req.query("shown")));
      // The address bar follows the search, so a reload or a shared link shows the same list.
      c.header("HX-Replace-Url", `/${slug}${view.qs ? `?${view.qs}` : ""}`);
      return html(c, results(view));
    })
    .get("/more", (c) => {
      const params = paramsOf(c);
      const offset = Math.max(0, Number(params.get("offset")) || 0);
      const query = parseQuery(definition, params);
      const found = service.find(query, { limit: PAGE, offset });
      const ctx = viewContext(base, query);
      return html(
        c,
        <>
          <More
            slug={slug}
            qs={queryString(definition, query)}
            offset={offset + found.records.length}
            total={found.total}
          />
          <hx-partial hx-target={`#${slug}-list`} hx-swap="beforeend">
            <Rows ctx={ctx} records={found.records} extra={extra} />
          </hx-partial>
        </>,
      );
    })
    .get("/export.csv", (c) => exportAs(c, "csv"))
    .get("/export.json", (c) => exportAs(c, "json"))
    .post("/", async (c) => {
      const values = formValues(definition, await readForm(c), addNames);
      const fromHtmx = c.req.header("hx-request") === "true";
      let outcome: CrudOutcome;
      try {
        outcome = tracked(() => service.insert(values, "ui"));
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        const form = <AddForm ctx={base} values={values} error={error.message} />;
        return fromHtmx ? html(c, form, 422) : card(c, { form, status: 422 });
      }
      if (!fromHtmx) return card(c);
      // A fresh form, and the new row appended: the cost does not grow with the list.
      return html(
        c,
        <>
          <AddForm ctx={base} />
          <hx-partial hx-target={`#${slug}-list`} hx-swap="beforeend">
            {row(outcome.record!)}
          </hx-partial>
          {noticePartial(outcome)}
        </>,
      );
    })
    .post("/sort", async (c) => {
      const form = await readForm(c);
      const order = String(form.order ?? "").split(",").filter(Boolean).map((s) =>
        /^\d+$/.test(s) ? Number(s) : NaN
      );
      const outcome = tracked(() => service.sort(order, "ui"));
      return html(c, <>{results(viewOf(new URLSearchParams()))}{noticePartial(outcome)}</>);
    })
    .post("/reorder", async (c) => {
      const form = await readForm(c);
      const order = String(form.order ?? "").split(",").filter(Boolean).map((s) =>
        /^\d+$/.test(s) ? Number(s) : NaN
      );
      return html(c, notice(tracked(() => service.reorder(order, "ui"))));
    })
    .post("/bulk", async (c) => {
      const form = await readFormLists(c);
      const first = (name: string) => {
        const value = form[name]?.[0];
        return typeof value === "string" ? value : "";
      };
      const query = parseQuery(definition, new URLSearchParams(first("query")));
      const ids = first("all") === "1"
        ? service.ids(query)
        : (form.ids ?? []).map((v) => typeof v === "string" && /^\d{1,15}$/.test(v) ? Number(v) : 0)
          .filter((n) => n > 0);
      const change = first("change");
      const outcome = tracked(() => bulk(change, ids, first("profile")));
      return html(c, notice(outcome));
    })
    .post("/undo/:token", (c) => {
      const { undone } = services.undo.run(c.req.param("token"));
      return html(c, <UndoNotice slug={slug} message={`Undone: ${undone}`} />);
    })
    .post("/restore", (c) => html(c, notice(tracked(() => service.restoreDefaults("ui")))))
    .get("/:id", (c) => html(c, row(service.get(idOf(c)))))
    .get("/:id/edit", (c) => html(c, <EditRow ctx={base} record={service.get(idOf(c))} />))
    .post("/:id", async (c) => {
      const id = idOf(c);
      const record = service.get(id);
      const values = formValues(definition, await readForm(c), editNames);
      try {
        const outcome = tracked(() => service.update(id, values, "ui"));
        return html(c, <>{row(outcome.record!)}{noticePartial(outcome)}</>);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        return html(
          c,
          <EditRow ctx={base} record={record} values={values} error={error.message} />,
          422,
        );
      }
    })
    .post("/:id/toggle", (c) => {
      const outcome = tracked(() => service.toggle(idOf(c), "ui"));
      return html(c, <>{row(outcome.record!)}{noticePartial(outcome)}</>);
    })
    .post("/:id/move", async (c) => {
      const form = await readForm(c);
      const params = new URLSearchParams(
        Object.entries(form).filter((e): e is [string, string] => typeof e[1] === "string"),
      );
      const by = c.req.query("by") === "-1" ? -1 : 1;
      const outcome = tracked(() =>
        service.move(idOf(c), by, "ui", parseQuery(definition, params))
      );
      return html(
        c,
        <>
          {results(viewOf(params, shownOf(form.shown)))}
          {outcome.undo && noticePartial(outcome)}
        </>,
      );
    })
    .delete("/:id", (c) => {
      const outcome = tracked(() => service.delete(idOf(c), "ui"));
      return html(c, noticePartial(outcome));
    });

  /** The change `change` (a button's value) to the records `ids`. */
  function bulk(change: string, ids: number[], profile: string): CrudOutcome {
    switch (change) {
      case "on":
      case "off":
        return service.bulk({ kind: "set", value: change === "on" }, ids, "ui");
      case "delete":
        return service.bulk({ kind: "delete" }, ids, "ui");
      case "transfer":
        return service.bulk({ kind: "transfer", profile: Number(profile) }, ids, "ui");
      default:
        throw new ValidationError(slug, "change", `"${change}" is not a change to many records.`);
    }
  }

  function exportAs(c: Context, format: "csv" | "json") {
    const view = parseQuery(definition, paramsOf(c));
    const { records } = service.find(view);
    const day = new Date().toISOString().slice(0, 10);
    const body = format === "csv" ? toCsv(definition, records) : toJson(definition, records);
    return c.body(body, 200, {
      "content-type": format === "csv" ? "text/csv; charset=utf-8" : "application/json",
      "content-disposition": `attachment; filename="${slug}-${day}.${format}"`,
      "cache-control": "no-store",
    });
  }
  return app;
}
