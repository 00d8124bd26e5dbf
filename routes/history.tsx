/**
 * @module
 * `/history`: every run of every workflow, newest first, with resume and a
 * confirmed delete.
 */

import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import type { Deps } from "@/lib/deps.ts";
import { render } from "@/lib/shell.tsx";
import { runUrl } from "@/pipeline/workflow/cards.tsx";
import type { WorkflowDefinition } from "@/pipeline/workflow/define.ts";
import { keyProblem } from "@/pipeline/workflow/keys.ts";
import { runStatus } from "@/pipeline/workflow/routes.tsx";
import { createRuns } from "@/pipeline/workflow/runs.ts";

/** The run history. */
export default function history(deps: Deps): Hono {
  const runs = createRuns(deps.db, deps.log.child("pipeline"));
  const workflows = new Map(
    deps.plugins.filter((p) => p.definition.kind === "workflow").map((
      p,
    ) => [p.slug, p.definition as WorkflowDefinition]),
  );

  const table = () => {
    const list = runs.list({ limit: 500 });
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
                  const definition = workflows.get(run.workflow);
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
      const key = c.req.param("key");
      const problem = keyProblem(key);
      if (problem) throw new HTTPException(400, { message: problem });
      const run = runs.find(key);
      if (!run) throw new HTTPException(404, { message: `There is no run with the key "${key}".` });
      runs.delete(key);
      deps.bus.emit("pipeline", { workflow: run.workflow, key, operation: "delete" });
      return render(c, deps, table(), { title: "History" });
    });
}
