/**
 * @module
 * Import routes of a CRUD app: the page, the check (a preview and the
 * report, nothing written) and the import itself, which checks again and
 * writes every record in one transaction or none, with one undo.
 */

import type { Child } from "hono/jsx";
import type { Context, Hono } from "hono";
import { readForm } from "../../lib/form.ts";
import type { CrudDefinition } from "../../pipeline/crud/define.ts";
import { formatOf, parseImport } from "../../pipeline/crud/transfer.ts";
import type { LoadedPlugin } from "../../pipeline/plugin.ts";
import type { CrudOutcome } from "../../services/events.ts";
import type { Deps } from "../../web/deps.ts";
import { html, render } from "../../web/shell.tsx";
import { ImportPage, ImportReport } from "./import.tsx";

/** Mount `/import`, `/import/preview` and `POST /import` on `app`. */
export function importRoutes(
  app: Hono,
  deps: Deps,
  plugin: LoadedPlugin<CrudDefinition>,
  notice: (outcome: CrudOutcome & { token?: string }) => Child,
): void {
  const { definition, slug } = plugin;
  const service = deps.services.crud.get(slug);

  /** The file (or the pasted text) of the form, read as records of the app. */
  async function read(c: Context) {
    const form = await readForm(c);
    const file = form.file instanceof File && form.file.size > 0 ? form.file : undefined;
    const text = file ? await file.text() : typeof form.text === "string" ? form.text : "";
    if (file && text.includes("\uFFFD")) {
      return {
        format: formatOf(text, file.name),
        rows: [],
        fields: [],
        problems: [{ row: 0, field: "", problem: "the file is not UTF-8 text" }],
      };
    }
    if (text.trim() === "") {
      return {
        format: formatOf(text, file?.name),
        rows: [],
        fields: [],
        problems: [{ row: 0, field: "", problem: "choose a file or paste some records" }],
      };
    }
    return parseImport(definition, text, formatOf(text, file?.name));
  }

  app
    .get("/import", (c) =>
      render(
        c,
        deps,
        <ImportPage
          slug={slug}
          definition={definition}
          profile={definition.scope === "profile"
            ? deps.services.profiles.current().name
            : undefined}
        />,
        { title: `Import into ${definition.title}` },
      ))
    .post("/import/preview", async (c) => {
      const result = await read(c);
      return html(c, <ImportReport definition={definition} result={result} />);
    })
    .post("/import", async (c) => {
      const result = await read(c);
      if (result.problems.length > 0) {
        return html(c, <ImportReport definition={definition} result={result} refused />, 422);
      }
      const outcome = deps.services.undo.track(() => service.insertMany(result.rows, "ui"));
      return html(
        c,
        <>
          {notice(outcome)}
          <p>
            <a href={`/${slug}`} hx-get={`/${slug}`} hx-target="#main" hx-push-url="true">
              See them in {definition.title}
            </a>
          </p>
        </>,
      );
    });
}
