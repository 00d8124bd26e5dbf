/**
 * @module
 * The engines that turn plugin definitions into sub-apps, one per kind:
 * a page, a workflow, a CRUD app. Each mounts routes over the services;
 * none touches the database.
 */

import { Hono } from "hono";
import { isKind, type LoadedPlugin } from "../pipeline/plugin.ts";
import type { Deps } from "../web/deps.ts";
import { render } from "../web/shell.tsx";
import { mountCrud } from "./crud/routes.tsx";
import { mountWorkflow } from "./workflow/routes.tsx";

/** Mount a loaded plugin with the engine of its kind, at `/<slug>`. */
export function mountPlugin(deps: Deps, plugin: LoadedPlugin): Hono {
  if (isKind(plugin, "workflow")) return mountWorkflow(deps, plugin);
  if (isKind(plugin, "crud")) return mountCrud(deps, plugin);
  if (isKind(plugin, "page")) {
    const { definition } = plugin;
    return new Hono().get("/", (c) =>
      render(
        c,
        deps,
        <section class="card">
          <h1>{definition.title}</h1>
          {definition.render()}
        </section>,
        { title: definition.title },
      ));
  }
  throw new Error(`plugins/${plugin.file}: no engine for this kind`);
}
