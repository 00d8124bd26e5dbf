/**
 * @module
 * What makes the profiles app more than a list: choosing the current
 * profile, keeping one current at all times, and deleting a profile's
 * records in scoped apps only after the user confirms.
 */

import type { Child } from "hono/jsx";
import type { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { Notice } from "../../components/layout.tsx";
import { transaction } from "../../lib/db.ts";
import type { Deps } from "../../lib/deps.ts";
import { currentProfile, setCurrentProfile } from "../../lib/profile.ts";
import { html } from "../../lib/shell.tsx";
import { type CrudDefinition, titleField } from "./define.ts";
import type { RowContext } from "./rows.tsx";
import type { CrudService, Record_ } from "./service.ts";

/** Tables of the apps whose records belong to a profile. */
function scopedTables(deps: Deps): { title: string; table: string }[] {
  return deps.plugins
    .filter((p) =>
      p.definition.kind === "crud" && (p.definition as CrudDefinition).scope === "profile"
    )
    .map((p) => ({
      title: p.definition.title,
      table: (p.definition as CrudDefinition).table ?? p.slug.replaceAll("-", "_"),
    }));
}

function recordsOf(
  deps: Deps,
  profileId: number,
): { title: string; table: string; count: number }[] {
  return scopedTables(deps).map((t) => {
    try {
      const row = deps.db.prepare(`SELECT COUNT(*) AS n FROM "${t.table}" WHERE profile_id = ?`)
        .get(profileId) as { n: number };
      return { ...t, count: Number(row.n) };
    } catch {
      return { ...t, count: 0 };
    }
  }).filter((t) => t.count > 0);
}

/** Keep a current profile: the stored one if it still exists, else the first. */
export function ensureCurrentProfile(deps: Deps, service: CrudService): void {
  const current = currentProfile(deps.store);
  const name = titleField(service.definition);
  const stored = current.id === null ? undefined : service.table.find(current.id);
  if (stored) {
    if (stored[name] !== current.name) {
      setCurrentProfile(deps.store, { id: current.id!, name: String(stored[name]) });
    }
    return;
  }
  const first = service.list()[0];
  if (first) setCurrentProfile(deps.store, { id: first.id as number, name: String(first[name]) });
}

/** The "Use" button, or the "in use" mark, on each profile row. */
export function profileRowExtra(deps: Deps, slug: string): (record: Record_) => Child {
  return function profileExtra(record) {
    return currentProfile(deps.store).id === record.id
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
  service: CrudService,
  _ctx: () => RowContext,
): void {
  ensureCurrentProfile(deps, service);
  const slug = service.slug;
  const name = titleField(service.definition);

  app.post("/:id/select", (c) => {
    const id = Number(c.req.param("id"));
    const record = service.get(id);
    setCurrentProfile(deps.store, { id, name: String(record[name]) });
    deps.live.publish("profile:changed");
    c.header("HX-Refresh", "true");
    return c.body(null, 204);
  });

  app.delete("/:id", (c) => {
    const id = Number(c.req.param("id"));
    const record = service.get(id);
    if (service.table.count() <= 1) {
      throw new HTTPException(409, {
        message: "Cardflow needs at least one profile: add another before deleting this one.",
      });
    }
    const owned = recordsOf(deps, id);
    if (owned.length > 0 && c.req.query("cascade") !== "1") {
      const summary = owned.map((o) => `${o.count} in ${o.title}`).join(", ");
      c.header("HX-Retarget", "#flash");
      c.header("HX-Reswap", "innerHTML");
      return html(
        c,
        <Notice kind="error">
          <p>
            The profile “{String(record[name])}” still has records ({summary}). Nothing was deleted.
          </p>
          <button
            type="button"
            class="danger"
            hx-delete={`/${slug}/${id}?cascade=1`}
            hx-target={`#${slug}-${id}`}
            hx-swap="outerHTML"
            hx-confirm={`Delete the profile and its ${summary}? This cannot be undone.`}
          >
            Delete the profile and its records
          </button>
        </Notice>,
        409,
      );
    }
    transaction(deps.db, () => {
      for (const o of owned) {
        deps.db.prepare(`DELETE FROM "${o.table}" WHERE profile_id = ?`).run(id);
      }
      service.delete(id, "ui");
    });
    for (const o of owned) deps.live.publish(`${o.table}:changed`);
    ensureCurrentProfile(deps, service);
    return c.html("");
  });
}
