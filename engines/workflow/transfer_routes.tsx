/**
 * @module
 * A workflow's routes that move runs and files in and out: start links
 * (`GET /start?key=K&<step>.<field>=…`, which store nothing), export and
 * import, "Run again" (clone), a step's downloads and the files a run keeps.
 * Every GET here only reads; downloads are attachments, never rendered inline.
 */

import { type Context, Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { ConflictError, NotFoundError, ValidationError } from "../../lib/errors.ts";
import { readForm, text } from "../../lib/form.ts";
import type { DownloadKind } from "../../pipeline/workflow/define.ts";
import { formStart } from "../../pipeline/workflow/values.ts";
import type { Run } from "../../services/workflows/runs.ts";
import type { WorkflowService } from "../../services/workflows/service.ts";
import type { Deps } from "../../web/deps.ts";
import { render } from "../../web/shell.tsx";
import { DraftFrame } from "./landing.tsx";

/** What the transfer routes borrow from the workflow's main routes. */
export interface TransferPages {
  landing(
    c: Context,
    options: { importError?: string; importKey?: string; status?: 200 | 404 | 409 | 422 },
  ): Response | Promise<Response>;
  frame(c: Context, run: Run): Response | Promise<Response>;
}

/** Types a download may be served as; anything else goes out as bytes. */
const SAFE_TYPES = /^(text\/(csv|plain)|application\/(json|pdf)|image\/(png|jpeg|gif|webp))$/;

/** Headers that make the browser save `name` rather than show it. */
function attachment(c: Context, name: string, type: string): void {
  const ascii = name.replace(/[^A-Za-z0-9._-]+/g, "_");
  c.header("Content-Type", type);
  c.header(
    "Content-Disposition",
    `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`,
  );
  c.header("Content-Security-Policy", "sandbox; default-src 'none'");
  c.header("Cache-Control", "no-store");
}

/** The query of `c` as lists of values. */
function queryLists(c: Context): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, value] of new URL(c.req.url).searchParams) (out[name] ??= []).push(value);
  return out;
}

/** Mount the transfer routes of `service`. */
export function transferRoutes(deps: Deps, service: WorkflowService, pages: TransferPages): Hono {
  const { slug, definition } = service;
  return new Hono()
    .get("/start", (c) => {
      const draft = service.draft(queryLists(c));
      if (draft.problem) {
        return render(c, deps, <LandingProblem slug={slug} message={draft.problem} />, {
          title: definition.title,
          status: 409,
        });
      }
      const first = definition.steps[0]!;
      const values = formStart(first, { earlier: {}, prefill: draft.prefill[first.id] });
      return render(
        c,
        deps,
        <DraftFrame
          definition={definition}
          slug={slug}
          runKey={draft.key}
          values={values}
          prefill={JSON.stringify(draft.prefill)}
          ignored={draft.ignored}
        />,
        { title: `${definition.title}: new run` },
      );
    })
    .get("/run/:key/export", async (c) => {
      const data = await service.exportRun(c.req.param("key"));
      attachment(c, `${slug}-${data.key}.json`, "application/json; charset=utf-8");
      return c.body(JSON.stringify(data, null, 2) + "\n");
    })
    .post("/import", async (c) => {
      const form = await readForm(c);
      const file = form.file;
      const key = text(form, "import_key").trim();
      if (!(file instanceof File) || file.name === "") {
        return pages.landing(c, {
          importError: "Choose a file to import.",
          importKey: key,
          status: 422,
        });
      }
      let run: Run;
      try {
        let data: unknown;
        try {
          data = JSON.parse(await file.text());
        } catch {
          throw new ValidationError(
            "pipeline",
            undefined,
            "This file cannot be imported: it is not JSON.",
          );
        }
        run = await service.importRun(data, { key: key || undefined, source: "ui" });
      } catch (error) {
        if (error instanceof ValidationError || error instanceof NotFoundError) {
          return pages.landing(c, { importError: error.message, importKey: key, status: 422 });
        }
        if (error instanceof ConflictError) {
          return pages.landing(c, { importError: error.message, importKey: key, status: 409 });
        }
        throw error;
      }
      return pages.frame(c, run);
    })
    .post("/run/:key/clone", async (c) => {
      const form = await readForm(c);
      const run = await service.clone(
        c.req.param("key"),
        text(form, "upto"),
        text(form, "new_key").trim(),
        "ui",
      );
      return pages.frame(c, run);
    })
    .get("/run/:key/step/:step/download/:kind", (c) => {
      const kind = c.req.param("kind");
      if (kind !== "csv" && kind !== "json") {
        throw new HTTPException(404, { message: `No ${kind} download here.` });
      }
      const download = service.download(
        c.req.param("key"),
        c.req.param("step"),
        kind as DownloadKind,
      );
      attachment(c, download.name, download.type);
      return c.body(download.body);
    })
    .get("/run/:key/file/:name", async (c) => {
      const { bytes, ref } = await service.file(c.req.param("key"), c.req.param("name"));
      const type = SAFE_TYPES.test(ref.type) ? ref.type : "application/octet-stream";
      attachment(c, ref.original, type);
      return c.body(bytes);
    });
}

/** A start link that cannot be used as it is. */
function LandingProblem(props: { slug: string; message: string }) {
  return (
    <section class="card" id="landing">
      <p class="field-error" role="alert">{props.message}</p>
      <p>
        <a href={`/${props.slug}`} hx-get={`/${props.slug}`} hx-target="#main" hx-push-url="true">
          Back to the runs
        </a>
      </p>
    </section>
  );
}
