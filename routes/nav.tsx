/**
 * @module
 * `/nav/*`: the nav bar's parts alone, which open pages fetch again when
 * the Profiles or Roles app changes (`nav:changed` on the live stream), so
 * a new profile, a renamed one or a role switched off shows in every tab
 * without a reload.
 */

import { Hono } from "hono";
import { AppMenu, ProfileMenu } from "@/components/layout.tsx";
import type { Deps } from "@/web/deps.ts";
import { html, menuOf } from "@/web/shell.tsx";

/** The nav fragments. */
export default function nav(deps: Deps): Hono {
  const { services } = deps;
  return new Hono()
    .get("/menu", (c) => {
      c.header("Cache-Control", "no-store");
      // The page marks its own entry after the swap (static/app.js).
      return html(c, <AppMenu menu={menuOf(services.plugins, services.roles.active())} path="" />);
    })
    .get("/profiles", (c) => {
      c.header("Cache-Control", "no-store");
      return html(
        c,
        <ProfileMenu
          profiles={services.profiles.choices().map((p) => ({ id: String(p.id), name: p.name }))}
          current={services.profiles.current().name}
        />,
      );
    });
}
