/**
 * @module
 * `/history`: every run of every workflow, newest first, with resume and a
 * confirmed delete.
 */

import { Hono } from "hono";
import type { Deps } from "@/web/deps.ts";
import { render } from "@/web/shell.tsx";
import { runUrl } from "@/engines/workflow/cards.tsx";
import { runStatus } from "@/services/workflows/service.ts";

/** The run history. */
export default function history(deps: Deps): Hono {
  const { workflows } = deps.services;

  const table = () => {
    const list = workflows.runs.list({ limit: 500 });
    return (
      <section class="card" id="history">
        <h1>History</h1>
        {list.length === 0
          ? <p class="muted">No runs yet. Start one from a workflow in the menu.</p>
          : (
            <table class="data">
              <thead>
                <tr>
                  <th>Key</th>
                  <th>Workflow</th>
                  <th>Where</th>
                  <th>Updated</th>
                  <th></th>
                </tr>
              </thead>
              <tbody>
                {list.map((run) => {
                  const definition = workflows.find(run.workflow)?.definition;
                  return (
                    <tr id={`run-${run.key}`}>
                      <td>
                        {definition
                          ? (
                            <a
                              href={runUrl(run.workflow, run.key)}
                              hx-get={runUrl(run.workflow, run.key)}
                              hx-target="#main"
                              hx-push-url="true"
                            >
                              {run.key}
                            </a>
                          )
                          : <code>{run.key}</code>}
                      </td>
                      <td>{definition?.title ?? run.workflow}</td>
                      <td>{runStatus(definition, run)}</td>
                      <td>{run.updated.slice(0, 16).replace("T", " ")}</td>
                      <td>
                        <button
                          type="button"
                          class="link danger"
                          hx-delete={`/history/${encodeURIComponent(run.key)}`}
                          hx-target="#history"
                          hx-swap="outerHTML"
                          hx-confirm={`Delete the run ${run.key} and everything in it?`}
                        >
                          Delete
                        </button>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )}
      </section>
    );
  };

  return new Hono()
    .get("/", (c) => render(c, deps, table(), { title: "History" }))
    .delete("/:key", (c) => {
      workflows.remove(c.req.param("key"));
      return render(c, deps, table(), { title: "History" });
    });
}
