/**
 * @module
 * The engines that turn plugin definitions into sub-apps, one per kind. The
 * workflow and CRUD engines register here next to the page engine.
 */

import { Hono } from "hono";
import type { Deps, LoadedPlugin } from "../lib/deps.ts";
import { render } from "../lib/shell.tsx";
import type { PageDefinition, PluginDefinition } from "./plugin.ts";
import { checkCrud, type CrudDefinition } from "./crud/define.ts";
import { mountCrud } from "./crud/routes.tsx";
import { checkWorkflow, type WorkflowDefinition } from "./workflow/define.ts";
import { mountWorkflow } from "./workflow/routes.tsx";

/** One engine: checks definitions of its kind and mounts them. */
export interface Engine {
  /** Problems with a definition, as sentences; empty when it is fine. */
  validate(definition: PluginDefinition): string[];
  /** The plugin's sub-app, mounted at `/<slug>`. */
  mount(deps: Deps, plugin: LoadedPlugin): Hono;
}

const pageEngine: Engine = {
  validate(definition) {
    return typeof (definition as PageDefinition).render === "function"
      ? []
      : ["a page needs a render() function"];
  },
  mount(deps, plugin) {
    const definition = plugin.definition as PageDefinition;
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
  },
};

const workflowEngine: Engine = {
  validate: (definition) => checkWorkflow(definition as WorkflowDefinition),
  mount: mountWorkflow,
};

const crudEngine: Engine = {
  validate: (definition) => checkCrud(definition as CrudDefinition),
  mount: mountCrud,
};

/** Every engine by kind. */
export const ENGINES: Readonly<Record<string, Engine>> = {
  page: pageEngine,
  workflow: workflowEngine,
  crud: crudEngine,
};

/** Validate a definition with the engine of its kind. */
export function validateDefinition(definition: PluginDefinition): string[] {
  return ENGINES[definition.kind]?.validate(definition) ?? [];
}

/** Mount a loaded plugin with the engine of its kind. */
export function mountPlugin(deps: Deps, plugin: LoadedPlugin): Hono {
  const engine = ENGINES[plugin.definition.kind];
  if (!engine) throw new Error(`plugins/${plugin.file}: no engine for "${plugin.definition.kind}"`);
  return engine.mount(deps, plugin);
}
