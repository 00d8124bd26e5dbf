/**
 * @module
 * What the app holding the profiles shows beyond a list: a "Use" button per
 * row, and a delete that asks before taking the profile's records in other
 * apps with it. The rules live in `services/profiles.ts`.
 */

import type { Child } from "hono/jsx";
import type { Hono } from "hono";
import { Notice } from "../../components/layout.tsx";
import type { Record_ } from "../../services/crud/service.ts";
import type { CrudOutcome } from "../../services/events.ts";
import type { Deps } from "../../web/deps.ts";
import { html } from "../../web/shell.tsx";
import { idOf } from "./ids.ts";

/** The "Use" button, or the "in use" mark, on each profile row. */
export function profileRowExtra(deps: Deps, slug: string): (record: Record_) => Child {
  return function profileExtra(record) {
    return deps.services.profiles.current().id === record.id
      ? <span class="badge">in use</span>
      : (
        <button type="button" class="link" hx-post={`/${slug}/${record.id}/select`} hx-swap="none">
          Use
        </button>
      );
  };
}

/** Select and cascade-delete routes, mounted before the generic ones. */
export function profileRoutes(
  app: Hono,
  deps: Deps,
  slug: string,
  notice: (outcome: CrudOutcome) => Child,
): void {
  const { profiles } = deps.services;

  app.post("/:id/select", (c) => {
    profiles.select(idOf(c));
    c.header("HX-Refresh", "true");
    return c.body(null, 204);
  });

  app.delete("/:id", (c) => {
    const id = idOf(c);
    const name = profiles.nameOf(id);
    const cascade = c.req.query("cascade") === "1";
    const outcome = profiles.remove(id, cascade);
    if (outcome.removed) {
      // A profile deleted alone comes back with Undo; one deleted with its records was confirmed.
      return html(
        c,
        <hx-partial hx-target={`#${slug}-undo`} hx-swap="innerHTML">
          {notice(
            outcome.deleted ?? { message: `Deleted the profile “${name}” and its records.` },
          )}
        </hx-partial>,
      );
    }
    const summary = outcome.owned.map((o) => `${o.count} in ${o.title}`).join(", ");
    c.header("HX-Retarget", "#flash");
    c.header("HX-Reswap", "innerHTML");
    return html(
      c,
      <Notice kind="error">
        <p>The profile “{name}” still has records ({summary}). Nothing was deleted.</p>
        <button
          type="button"
          class="danger"
          hx-delete={`/${slug}/${id}?cascade=1`}
          hx-target={`#${slug}-${id}`}
          hx-swap="delete"
          hx-confirm={`Delete the profile and its ${summary}? This cannot be undone.`}
        >
          Delete the profile and its records
        </button>
      </Notice>,
      409,
    );
  });
}
