/**
 * @module
 * `/history`: every run of every workflow, newest first, filtered by
 * workflow, profile and state, with resume, a confirmed delete of one run,
 * and a confirmed delete of several at once.
 */

import { type Context, Hono } from "hono";
import type { Deps } from "@/web/deps.ts";
import { render } from "@/web/shell.tsx";
import { readFormLists } from "@/lib/form.ts";
import { runUrl } from "@/engines/workflow/cards.tsx";
import { runStatus } from "@/services/workflows/service.ts";

/** The states History filters by. */
const STATES = {
  open: "in progress",
  running: "work running",
  complete: "complete",
  finalized: "finalized",
} as const;
type StateFilter = keyof typeof STATES;

/** History's filters, as the query gives them. */
interface Filters {
  workflow: string;
  profile: string;
  state: string;
}

/** One of History's filters: a labelled select of `[value, label]` options after "All". */
function FilterSelect(
  props: { label: string; name: string; value: string; options: [string, string][] },
) {
  return (
    <label>
      {props.label}
      <select name={props.name}>
        <option value="">All</option>
        {props.options.map(([value, label]) => (
          <option value={value} selected={value === props.value}>{label}</option>
        ))}
      </select>
    </label>
  );
}

/** The run history. */
export default function history(deps: Deps): Hono {
  const { workflows, profiles } = deps.services;

  function filtersOf(c: Context): Filters {
    return {
      workflow: c.req.query("workflow") ?? "",
      profile: c.req.query("profile") ?? "",
      state: c.req.query("state") ?? "",
    };
  }

  function matches(state: string, status: string): boolean {
    switch (state as StateFilter) {
      case "finalized":
        return status === "finalized";
      case "complete":
        return status === "complete";
      case "running":
        return status.startsWith("running ");
      case "open":
        return status.startsWith("at ") || status.startsWith("running ");
      default:
        return true;
    }
  }

  const table = (filters: Filters, notice?: string) => {
    const profile = filters.profile === "none"
      ? null
      : /^\d+$/.test(filters.profile)
      ? Number(filters.profile)
      : undefined;
    const list = workflows.runs
      .list({ workflow: filters.workflow || undefined, profile, strict: true, limit: 500 })
      .map((run) => {
        const definition = workflows.find(run.workflow)?.definition;
        return { run, definition, status: runStatus(definition, run) };
      })
      .filter((r) => matches(filters.state, r.status));
    const query = new URLSearchParams(
      Object.entries(filters).filter(([, v]) => v !== ""),
    ).toString();
    return (
      <section class="card" id="history">
        <h1>History</h1>
        <form
          class="history-filters"
          hx-get="/history"
          hx-target="#history"
          hx-swap="outerHTML"
          hx-trigger="change"
          hx-push-url="true"
          role="search"
          aria-label="Filter runs"
        >
          <FilterSelect
            label="Workflow"
            name="workflow"
            value={filters.workflow}
            options={workflows.all().map((w) => [w.slug, w.definition.title])}
          />
          <FilterSelect
            label="Profile"
            name="profile"
            value={filters.profile}
            options={[
              ...profiles.list().map((p): [string, string] => [String(p.id), p.name]),
              ["none", "No profile"],
            ]}
          />
          <FilterSelect
            label="State"
            name="state"
            value={filters.state}
            options={Object.entries(STATES)}
          />
          <noscript>
            <button type="submit">Filter</button>
          </noscript>
        </form>
        {notice && <p class="muted" role="status">{notice}</p>}
        {list.length === 0
          ? <p class="muted">No runs here. Start one from a workflow in the menu.</p>
          : (
            <form
              hx-post={`/history/delete${query ? `?${query}` : ""}`}
              hx-target="#history"
              hx-swap="outerHTML"
              hx-confirm="Delete the selected runs and everything in them?"
            >
              <div class="table-scroll">
                <table class="data">
                  <thead>
                    <tr>
                      <th>
                        <span class="sr-only">Select</span>
                      </th>
                      <th>Key</th>
                      <th>Workflow</th>
                      <th>Profile</th>
                      <th>Where</th>
                      <th>Updated</th>
                      <th></th>
                    </tr>
                  </thead>
                  <tbody>
                    {list.map(({ run, definition, status }) => (
                      <tr id={`run-${run.key}`}>
                        <td>
                          <input
                            type="checkbox"
                            name="keys"
                            value={run.key}
                            aria-label={`Select ${run.key}`}
                          />
                        </td>
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
                        <td>
                          {run.profile_id === null
                            ? <span class="muted">none</span>
                            : profiles.nameOf(run.profile_id)}
                        </td>
                        <td>{status}</td>
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
                    ))}
                  </tbody>
                </table>
              </div>
              <div class="actions">
                <button type="submit" class="danger">Delete selected</button>
              </div>
            </form>
          )}
      </section>
    );
  };

  return new Hono()
    .get("/", (c) => render(c, deps, table(filtersOf(c)), { title: "History" }))
    .post("/delete", async (c) => {
      const keys = ((await readFormLists(c)).keys ?? []).filter((k): k is string =>
        typeof k === "string"
      );
      const notice = keys.length === 0
        ? "Nothing was selected, so nothing was deleted."
        : `Deleted ${workflows.removeMany(keys)} runs.`;
      return render(c, deps, table(filtersOf(c), notice), { title: "History" });
    })
    .delete("/:key", (c) => {
      workflows.remove(c.req.param("key"));
      return render(c, deps, table(filtersOf(c)), { title: "History" });
    });
}
