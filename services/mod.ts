/**
 * @module
 * The services layer: everything that owns Cardflow's data and its rules,
 * built once per database from the validated plugin definitions, before any
 * route or the chat exists. Routes, engines, the chat and the nav read and
 * write only through it; below it sit the table layer and SQLite.
 *
 * Each build carries an `AbortSignal` that aborts when the database is
 * switched away or closed: listeners and jobs of the old database stop on it.
 */

import type { Bus } from "../lib/bus.ts";
import { type Db, transaction } from "../lib/db.ts";
import type { Live } from "../lib/live.ts";
import type { Logger } from "../lib/log.ts";
import { createStore, type Store } from "../lib/store.ts";
import { NotFoundError } from "../lib/errors.ts";
import type { WorkflowDefinition } from "../pipeline/workflow/define.ts";
import { keyProblem } from "../pipeline/workflow/keys.ts";
import { type LoadedPlugin, pluginsOf } from "../pipeline/plugin.ts";
import { type Context, type ContextChange, createContext } from "./context.ts";
import { type Conversation, createConversation } from "./conversation.ts";
import { createCrudRegistry, type CrudRegistry } from "./crud/registry.ts";
import { createCrudService, type CrudService } from "./crud/service.ts";
import {
  type Environment,
  isWorkflowOperation,
  type Operation,
  type ServiceEvents,
  type Source,
} from "./events.ts";
import { createProfiles, type Profiles } from "./profiles.ts";
import { createRoles, type Roles } from "./roles.ts";
import { createUndo, type Undo } from "./undo.ts";
import { createFiles } from "./workflows/files.ts";
import { createRuns, type Runs } from "./workflows/runs.ts";
import { createWorkflowService, type WorkflowService } from "./workflows/service.ts";

/** What the services of one database are built from. */
/** What one operation of `Services.apply` did, and how to take it back. */
export interface Applied {
  message: string;
  undo?: Operation;
}

export interface ServicesOptions {
  db: Db;
  plugins: readonly LoadedPlugin[];
  environment: Environment;
  /** The data folder (uploads live under it), or ":memory:". */
  dataDir: string;
  /** Messages the conversation keeps, system message included. */
  chatHistory: number;
  /** Hosts the user lets every workflow fetch from (`--net-host`). */
  allowNetHosts?: readonly string[];
  bus: Bus<ServiceEvents>;
  live: Live;
  log: Logger;
}

/** The workflows of one database, by slug. */
export interface Workflows {
  all(): readonly WorkflowService[];
  /** The workflow `slug`, or undefined. */
  find(slug: string): WorkflowService | undefined;
  /** Every run of every workflow (History). */
  runs: Runs;
  /** Delete the run `key` of any workflow and its files; throws NotFoundError. */
  remove(key: string): void;
  /** Delete several runs at once (one transaction) and their files; NotFoundError deletes none. */
  removeMany(keys: readonly string[]): number;
}

/**
 * Why a database's services were retired: another environment was switched
 * to, development was reset, a backup restore closed it, or Cardflow (or a
 * failed build) closed it.
 */
export type Retirement = "switch" | "reset" | "restore" | "close";

/** The services of one database. */
export interface Services {
  readonly environment: Environment;
  readonly plugins: readonly LoadedPlugin[];
  /** Aborts when this database is switched away or closed. */
  readonly signal: AbortSignal;
  store: Store;
  context: Context;
  profiles: Profiles;
  roles: Roles;
  crud: CrudRegistry;
  workflows: Workflows;
  conversation: Conversation;
  /**
   * Run `operations` in one transaction, in order: all of them or none (the
   * one Undo of everything an assistant's answer changed, an applied
   * proposal). Returns, per operation, one sentence and how to undo it.
   */
  apply(operations: readonly Operation[], source: Source): Applied[];
  /** Changes made on pages, kept to be undone by token. */
  undo: Undo;
  /** Tell every open page that the context changed and why (they show a notice). */
  announce(reason: ContextChange): void;
  /** Abort `signal` for `why`: the database is being switched away or closed. */
  retire(why: Retirement): void;
  /** Why `signal` aborted; undefined while the services are in use. */
  readonly retiredFor: Retirement | undefined;
}

/**
 * Build the services over `options.db`. Throws `PluginError` (naming the
 * file) when a CRUD app's table cannot follow its definition.
 */
export function createServices(options: ServicesOptions): Services {
  const { db, plugins, bus, live } = options;
  const log = options.log.child("services");
  const controller = new AbortController();
  let retiredFor: Retirement | undefined;
  const store = createStore(db, { log: options.log.child("store") });
  // The registry reads this list, which fills as each app's table is brought up to date.
  const apps: CrudService[] = [];
  const crud: CrudRegistry = createCrudRegistry(apps);
  const registry = () => crud;
  // Pages hear about this database's context once it exists; while it is being built there is none.
  let ready = false;
  const announce = (reason: ContextChange) => {
    if (!ready) return;
    live.publish(
      "context:changed",
      JSON.stringify({ stamp: context.stamp(), text: context.explain(reason) }),
    );
  };
  const profiles = createProfiles(db, store, registry, () => announce("profile"));
  const roles = createRoles(registry);

  function changed(slug: string): void {
    const holds = crud.get(slug).definition.holds;
    if (holds === "profiles") {
      profiles.invalidate();
      profiles.ensureCurrent();
    }
    if (holds === "roles") roles.invalidate();
    if (holds) live.publish("nav:changed");
  }

  for (const plugin of pluginsOf(plugins, "crud")) {
    apps.push(createCrudService({
      db,
      store,
      bus,
      live,
      log: options.log,
      profileId: () => profiles.current().id,
      knownProfile: (id) => profiles.exists(id),
      changed,
    }, plugin));
  }
  profiles.ensureCurrent();
  const conversation = createConversation(db, options.chatHistory);
  const adopted = conversation.adopt(profiles.current().id ?? 0);
  if (adopted) {
    log.info(
      `gave ${adopted} chat messages from before profiles had their own to the current profile`,
    );
  }
  const context: Context = createContext(store, options.environment, profiles);
  ready = true;

  const runs = createRuns(db, { log: options.log.child("pipeline"), profiles: profiles.list() });
  const files = createFiles(options.dataDir);
  const workflowServices = pluginsOf(plugins, "workflow").map((
    plugin: LoadedPlugin<WorkflowDefinition>,
  ) =>
    createWorkflowService({
      runs,
      files,
      bus,
      log: options.log.child("pipeline"),
      signal: controller.signal,
      profileName: () => profiles.current().name,
      profileId: () => profiles.current().id,
      allowNetHosts: options.allowNetHosts ?? [],
    }, plugin)
  );
  log.debug(`services built for the ${options.environment} database`);

  return {
    environment: options.environment,
    plugins,
    signal: controller.signal,
    store,
    context,
    profiles,
    roles,
    crud,
    workflows: {
      all: () => workflowServices,
      find: (slug) => workflowServices.find((w) => w.slug === slug),
      runs,
      remove(key) {
        const problem = keyProblem(key);
        if (problem) throw new NotFoundError("pipeline", key, problem);
        const run = runs.get(key);
        runs.delete(key);
        files.removeRun(key).catch((error) => log.warn(`files of run ${key} stay`, error));
        bus.emit("pipeline", { workflow: run.workflow, key, operation: "delete" });
      },
      removeMany(keys) {
        for (const key of keys) {
          const problem = keyProblem(key);
          if (problem) throw new NotFoundError("pipeline", key, problem);
        }
        const gone = runs.deleteMany(keys);
        for (const run of gone) {
          files.removeRun(run.key).catch((error) =>
            log.warn(`files of run ${run.key} stay`, error)
          );
          bus.emit("pipeline", { workflow: run.workflow, key: run.key, operation: "delete" });
        }
        return gone.length;
      },
    },
    conversation,
    apply(operations, source) {
      return transaction(db, () =>
        operations.map((operation): Applied => {
          if (!isWorkflowOperation(operation)) {
            const { message, undo } = crud.execute(operation, source);
            return undo ? { message, undo } : { message };
          }
          const workflow = workflowServices.find((w) => w.slug === operation.workflow);
          if (!workflow) {
            throw new NotFoundError("workflows", operation.workflow, "That workflow is gone.");
          }
          if (operation.action === "finalize") {
            const before = workflow.load(operation.key);
            const after = workflow.finalize(operation.key, operation.version, source);
            return {
              message: `Finalized the ${workflow.definition.title} run ${operation.key}.`,
              undo: {
                workflow: workflow.slug,
                action: "restore",
                key: operation.key,
                version: after.version,
                state: before.state,
              },
            };
          }
          return {
            message: workflow.restore(
              operation.key,
              operation.state ?? null,
              operation.version,
              source,
            ),
          };
        }));
    },
    undo: createUndo({ crud: registry, profileId: () => profiles.current().id }),
    announce,
    retire(why) {
      retiredFor ??= why;
      controller.abort(why);
    },
    get retiredFor() {
      return retiredFor;
    },
  };
}
