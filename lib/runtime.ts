/**
 * @module
 * The running application behind the server: opens the database of the
 * current environment, builds `deps` and the Hono app, and rebuilds both when
 * the user switches environment. The bus, live stream and assets outlive a
 * switch; the database, store and app do not.
 */

import type { Hono } from "hono";
import { createApp, type RouteEntry } from "./app.tsx";
import { type Assets, createAssets } from "./assets.ts";
import { type Bus, createBus } from "./bus.ts";
import type { Config } from "./config.ts";
import { backupDatabase, checkBackup, restoreFile } from "./backup.ts";
import { closeDatabase, type Db, openDatabase } from "./db.ts";
import { type ChatHub, createChatHub } from "./chat/hub.tsx";
import { createCrudPort } from "./crud_port.ts";
import { createLlm, type Llm } from "./llm.ts";
import { createNav } from "./nav.ts";
import type { AppEvents, Deps, Environment, EnvironmentControl } from "./deps.ts";
import { createLive, type Live } from "./live.ts";
import type { Logger } from "./log.ts";
import { loadPlugins, type PluginEntry } from "./plugins.ts";
import { createStore } from "./store.ts";
import { ENGINES, mountPlugin, validateDefinition } from "../pipeline/engines.tsx";

/** What the runtime is built from; `main.ts` passes the generated manifests. */
export interface RuntimeOptions {
  config: Config;
  log: Logger;
  routes: readonly RouteEntry[];
  plugins: readonly PluginEntry[];
  /** Embedded static files (name → content). */
  files: Readonly<Record<string, string>>;
  /** Names re-read from disk in dev mode. */
  liveFiles?: readonly string[];
  /** The LLM client; one for `config.ollamaHost` when omitted. */
  llm?: Llm;
}

/** The app as the server sees it. */
export interface Runtime {
  fetch(request: Request): Response | Promise<Response>;
  /** The current deps (tests reach the database through it). */
  deps(): Deps;
  /** The current Hono app (tests list its routes). */
  app(): Hono;
  /** Abort `deps.signal`, so streams and sockets let the server finish. */
  stop(): void;
  close(): void;
}

const DB_FILES: Record<Environment, string> = {
  development: "cardflow-dev.db",
  production: "cardflow.db",
};

/** Where environment `env` keeps its database, or ":memory:". */
export function databasePath(dataDir: string, env: Environment): string {
  return dataDir === ":memory:" ? ":memory:" : `${dataDir}/${DB_FILES[env]}`;
}

function readEnvironment(dataDir: string): Environment {
  if (dataDir === ":memory:") return "development";
  try {
    const text = Deno.readTextFileSync(`${dataDir}/environment`).trim();
    return text === "production" ? "production" : "development";
  } catch {
    return "development";
  }
}

/** Build the runtime; throws (with the file named) on a broken plugin. */
export function createRuntime(options: RuntimeOptions): Runtime {
  const { config, log } = options;
  const plugins = loadPlugins(options.plugins, {
    kinds: Object.keys(ENGINES),
    reserved: options.routes.map((r) => r.path.split("/")[1] ?? "").filter(Boolean),
    validate: validateDefinition,
  });
  const bus: Bus<AppEvents> = createBus<AppEvents>(log.child("bus"));
  const live: Live = createLive();
  const assets: Assets = createAssets(options.files, {
    live: config.dev ? { dir: "static", names: [...(options.liveFiles ?? [])] } : undefined,
  });
  const bootId = crypto.randomUUID();
  const llm: Llm = options.llm ??
    createLlm({ host: config.ollamaHost, stallMs: config.llmStallMs });
  const stopper = new AbortController();
  let current = readEnvironment(config.dataDir);
  let db: Db;
  let deps: Deps;
  let app: Hono;

  const environment: EnvironmentControl = {
    get current() {
      return current;
    },
    async switch(to) {
      if (to === current) return;
      const old = db;
      build(to);
      if (config.dataDir !== ":memory:") {
        await Deno.writeTextFile(`${config.dataDir}/environment`, to + "\n");
      }
      log.info(`switched to the ${to} database at ${databasePath(config.dataDir, to)}`);
      retire(old);
      bus.emit("environment", { environment: to });
    },
    async resetDevelopment() {
      if (current !== "development") throw new Error("only development can be reset");
      closeDatabase(db);
      const path = databasePath(config.dataDir, "development");
      if (path !== ":memory:") {
        for (const suffix of ["", "-wal", "-shm"]) {
          await Deno.remove(path + suffix).catch(() => {});
        }
      }
      build("development");
      log.info("reset the development database");
    },
    restore(path) {
      const target = databasePath(config.dataDir, current);
      if (target === ":memory:") {
        return Promise.reject(new Error("an in-memory database has no backups"));
      }
      checkBackup(path);
      closeDatabase(db);
      try {
        const kept = restoreFile(path, target, config.dataDir);
        log.info(
          `restored ${path} as the ${current} database${kept ? `; the old one is ${kept}` : ""}`,
        );
      } finally {
        build(current);
      }
      return Promise.resolve();
    },
  };

  function build(env: Environment): void {
    const path = databasePath(config.dataDir, env);
    const nextDb = openDatabase(path);
    try {
      const store = createStore(nextDb, { log: log.child("store") });
      const nextDeps: Deps = {
        config,
        log,
        db: nextDb,
        store,
        bus,
        live,
        assets,
        plugins,
        environment,
        bootId,
        signal: stopper.signal,
        crud: createCrudPort(),
        llm,
        nav: createNav(nextDb, live),
        memo: new Map(),
        // Set just below: the hub needs the rest of deps.
        chat: undefined as unknown as ChatHub,
      };
      nextDeps.chat = createChatHub(nextDeps, llm);
      app = createApp(nextDeps, { routes: options.routes, mountPlugin });
      deps = nextDeps;
      db = nextDb;
      current = env;
    } catch (error) {
      closeDatabase(nextDb);
      throw error;
    }
  }

  // Requests that started on the old database may still await; close it a little later.
  const retired = new Set<Db>();
  function retire(old: Db): void {
    retired.add(old);
    const timer = setTimeout(() => {
      retired.delete(old);
      closeDatabase(old);
    }, 2000);
    Deno.unrefTimer(timer);
  }

  if (config.restore) {
    const target = databasePath(config.dataDir, current);
    if (target === ":memory:") throw new Error("--restore needs a data folder, not :memory:");
    const kept = restoreFile(config.restore, target, config.dataDir);
    log.info(
      `restored ${config.restore} as the ${current} database${
        kept ? `; the old one is ${kept}` : ""
      }`,
    );
  }
  build(current);
  log.info(`using the ${current} database at ${databasePath(config.dataDir, current)}`);
  if (config.dataDir !== ":memory:") {
    backupDatabase(db!, config.dataDir, { environment: current, onlyIfMissing: true })
      .then((file) => log.info(`today's backup: ${file.name}`))
      .catch((error) => log.warn("could not write today's backup", error));
  }

  return {
    fetch: (request) => app.fetch(request),
    deps: () => deps,
    app: () => app,
    stop: () => stopper.abort(),
    close() {
      stopper.abort();
      for (const old of retired) closeDatabase(old);
      retired.clear();
      closeDatabase(db);
    },
  };
}
