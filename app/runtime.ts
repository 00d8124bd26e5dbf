/**
 * @module
 * The running application behind the server: loads the plugins, opens the
 * database of the current environment, builds its services, `deps`, the chat
 * hub and the Hono app, and rebuilds all four when the user switches
 * environment, resets or restores. The bus, live stream and assets outlive a
 * switch; everything tied to a database does not: its services' signal aborts
 * and every open page is told.
 */

import type { Hono } from "hono";
import { type ChatHub, createChatHub } from "../chat/hub.tsx";
import { type Assets, createAssets } from "../lib/assets.ts";
import { backupDatabase, checkBackup, restoreFile } from "../lib/backup.ts";
import { type Bus, createBus } from "../lib/bus.ts";
import type { Config } from "../lib/config.ts";
import { closeDatabase, type Db, openDatabase } from "../lib/db.ts";
import { ConflictError } from "../lib/errors.ts";
import { createLive, type Live } from "../lib/live.ts";
import { createLlm, type Llm } from "../lib/llm.ts";
import type { Logger } from "../lib/log.ts";
import { loadPlugins, type PluginEntry } from "../pipeline/load.ts";
import type { Environment, ServiceEvents } from "../services/events.ts";
import { createServices, type Services } from "../services/mod.ts";
import type { Databases, Deps, RouteEntry } from "../web/deps.ts";
import { createApp } from "./app.tsx";

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
  /** The current deps. */
  deps(): Deps;
  /** The current database's services. */
  services(): Services;
  /** The current database connection, for tests and diagnostics only. */
  db(): Db;
  /** The current database's chat hub. */
  chat(): ChatHub;
  /** The current Hono app (tests list its routes). */
  app(): Hono;
  /** Abort `deps.signal`, so streams and sockets let the server finish. */
  stop(): void;
  close(): void;
}

/** Paths the app mounts itself besides the file-based routes. */
export const BUILT_IN_PATHS = ["chat", "ws"];

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

/** One database with everything built on it. */
interface Build {
  db: Db;
  services: Services;
  deps: Deps;
  chat: ChatHub;
  app: Hono;
}

/** Build the runtime; throws `PluginError` (naming the file) on a broken plugin. */
export function createRuntime(options: RuntimeOptions): Runtime {
  const { config, log } = options;
  const plugins = loadPlugins(options.plugins, {
    reserved: [
      ...options.routes.map((r) => r.path.split("/")[1] ?? "").filter(Boolean),
      ...BUILT_IN_PATHS,
    ],
  });
  const bus: Bus<ServiceEvents> = createBus<ServiceEvents>(log.child("bus"));
  const live: Live = createLive();
  const assets: Assets = createAssets(options.files, {
    live: config.dev ? { dir: "static", names: [...(options.liveFiles ?? [])] } : undefined,
  });
  const bootId = crypto.randomUUID();
  const llm: Llm = options.llm ?? (config.llmApi === "openai"
    ? createLlm({
      api: "openai",
      url: config.llmUrl!,
      apiKey: config.llmKey,
      stallMs: config.llmStallMs,
      log: log.child("llm"),
    })
    : createLlm({ host: config.ollamaHost, stallMs: config.llmStallMs, log: log.child("llm") }));
  const stopper = new AbortController();
  let current = readEnvironment(config.dataDir);
  let now: Build;

  const databases: Databases = {
    get current() {
      return current;
    },
    async switch(to) {
      if (to === current) return;
      const old = now;
      now = build(to);
      current = to;
      if (config.dataDir !== ":memory:") {
        await Deno.writeTextFile(`${config.dataDir}/environment`, to + "\n");
      }
      log.info(`switched to the ${to} database at ${databasePath(config.dataDir, to)}`);
      retire(old);
      now.services.announce("switch");
    },
    async resetDevelopment() {
      if (current !== "development") throw new Error("only development can be reset");
      now.services.retire();
      closeDatabase(now.db);
      const path = databasePath(config.dataDir, "development");
      if (path !== ":memory:") {
        for (const suffix of ["", "-wal", "-shm"]) {
          await Deno.remove(path + suffix).catch(() => {});
        }
      }
      now = build("development");
      log.info("reset the development database");
      now.services.announce("reset");
    },
    restore(path) {
      const target = databasePath(config.dataDir, current);
      if (target === ":memory:") {
        return Promise.reject(new Error("an in-memory database has no backups"));
      }
      checkBackup(path);
      now.services.retire();
      closeDatabase(now.db);
      try {
        const kept = restoreFile(path, target, config.dataDir);
        log.info(
          `restored ${path} as the ${current} database${kept ? `; the old one is ${kept}` : ""}`,
        );
      } finally {
        now = build(current);
      }
      now.services.context.renew();
      now.services.announce("restore");
      return Promise.resolve();
    },
    backup() {
      if (config.dataDir === ":memory:") {
        return Promise.reject(new ConflictError("An in-memory database cannot be backed up."));
      }
      return backupDatabase(now.db, config.dataDir, { environment: current });
    },
  };

  function build(env: Environment): Build {
    const db = openDatabase(databasePath(config.dataDir, env));
    let services: Services | undefined;
    try {
      services = createServices({
        db,
        plugins,
        environment: env,
        dataDir: config.dataDir,
        chatHistory: config.chatHistory,
        allowNetHosts: config.allowNetHosts,
        bus,
        live,
        log,
      });
      const deps: Deps = {
        config,
        log,
        bus,
        live,
        assets,
        services,
        databases,
        bootId,
        signal: stopper.signal,
        memo: new Map(),
      };
      const chat = createChatHub({ config, log, bus, services, llm, signal: stopper.signal });
      return { db, services, deps, chat, app: createApp(deps, { routes: options.routes, chat }) };
    } catch (error) {
      services?.retire();
      closeDatabase(db);
      throw error;
    }
  }

  // Requests that started on the old database may still await; close it a little later.
  const retired = new Set<Db>();
  function retire(old: Build): void {
    old.services.retire();
    retired.add(old.db);
    const timer = setTimeout(() => {
      retired.delete(old.db);
      closeDatabase(old.db);
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
  now = build(current);
  if (config.restore) now.services.context.renew();
  log.info(`using the ${current} database at ${databasePath(config.dataDir, current)}`);
  if (config.dataDir !== ":memory:") {
    backupDatabase(now.db, config.dataDir, { environment: current, onlyIfMissing: true })
      .then((file) => log.info(`today's backup: ${file.name}`))
      .catch((error) => log.warn("could not write today's backup", error));
  }

  return {
    fetch: (request) => now.app.fetch(request),
    deps: () => now.deps,
    services: () => now.services,
    db: () => now.db,
    chat: () => now.chat,
    app: () => now.app,
    stop: () => stopper.abort(),
    close() {
      stopper.abort();
      now.services.retire();
      for (const old of retired) closeDatabase(old);
      retired.clear();
      closeDatabase(now.db);
    },
  };
}
