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
import { createChatHub } from "../chat/hub.tsx";
import type { ChatHub } from "../chat/hub_api.ts";
import { loadToken } from "../lib/access_token.ts";
import { type Assets, createAssets } from "../lib/assets.ts";
import { backupInBackground } from "../lib/backup_thread.ts";
import { databaseFileProblem, defaultBackupDir, sweepTemp } from "../lib/backup.ts";
import { type Bus, createBus } from "../lib/bus.ts";
import type { Config } from "../lib/config.ts";
import { closeDatabase, type Db, openDatabase } from "../lib/db.ts";
import { ConflictError, DatabaseFileError } from "../lib/errors.ts";
import { createLive, type Live } from "../lib/live.ts";
import { createLlm, type Llm } from "../lib/llm.ts";
import type { Logger } from "../lib/log.ts";
import { loadPlugins, type PluginEntry } from "../pipeline/load.ts";
import type { Environment, ServiceEvents } from "../services/events.ts";
import { createServices, type Retirement, type Services } from "../services/mod.ts";
import { restoreCheck } from "../services/restore_check.ts";
import type { Databases, Deps, Restored, RouteEntry } from "../web/deps.ts";
import { createApp } from "./app.tsx";
import { restoreTransaction } from "./restore.ts";

/** What the runtime is built from; `main.ts` passes the generated manifests. */
export interface RuntimeOptions {
  config: Config;
  log: Logger;
  routes: readonly RouteEntry[];
  plugins: readonly PluginEntry[];
  /** Embedded static files (name → content). */
  files: Readonly<Record<string, string>>;
  /** Large static files loaded on first request (name → loader). */
  lazyFiles?: Readonly<Record<string, () => Promise<string>>>;
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
  /** The access token requests must carry, or undefined when it is off. */
  readonly token: string | undefined;
  /** Abort `deps.signal`, so streams and sockets let the server finish. */
  stop(): void;
  /** Close the database; resolves once a backup in progress has stopped too. */
  close(): Promise<void>;
}

/** How long after start-up the start-up backup begins. */
export const START_BACKUP_DELAY_MS = 1000;

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
    lazy: options.lazyFiles,
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
    : createLlm({
      host: config.ollamaHost,
      stallMs: config.llmStallMs,
      contextTokens: config.llmContext,
      log: log.child("llm"),
    }));
  const stopper = new AbortController();
  const memory = config.dataDir === ":memory:";
  // One per data folder, kept across switches and restarts (so the browser's cookie stays good).
  const token = config.token ? loadToken(config.dataDir) : undefined;
  const backupDir = memory ? undefined : config.backupDir ?? defaultBackupDir(config.dataDir);
  const check = restoreCheck(plugins);
  let current = readEnvironment(config.dataDir);
  let now: Build;
  let restored: Restored | undefined;

  const databases: Databases = {
    get current() {
      return current;
    },
    backupDir,
    async switch(to) {
      if (to === current) return;
      const old = now;
      now = build(to);
      current = to;
      if (!memory) {
        await Deno.writeTextFile(`${config.dataDir}/environment`, to + "\n", { mode: 0o600 });
      }
      log.info(`switched to the ${to} database at ${databasePath(config.dataDir, to)}`);
      retire(old, "switch");
      now.services.announce("switch");
    },
    async resetDevelopment() {
      if (current !== "development") throw new Error("only development can be reset");
      now.services.retire("reset");
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
    restore(path, options = {}) {
      try {
        restoreInto(path, options.allowEmpty ?? false);
      } catch (error) {
        return Promise.reject(error);
      }
      now.services.announce("restore");
      return Promise.resolve(restored!);
    },
    lastRestore: () => restored?.environment === current ? restored : undefined,
    async backup() {
      if (!backupDir) throw new ConflictError("An in-memory database cannot be backed up.");
      const { file } = await background(backupInBackground(databasePath(config.dataDir, current), {
        backupDir,
        environment: current,
        reason: "manual",
        signal: stopper.signal,
      }));
      return file;
    },
  };

  function build(env: Environment): Build {
    const path = databasePath(config.dataDir, env);
    // Checked read-only first: a file that is not a sound database must not get a byte written.
    const problem = path === ":memory:" ? undefined : databaseFileProblem(path);
    if (problem) {
      throw new DatabaseFileError(
        `Cannot open the ${env} database ${path}: ${problem}. Nothing was written to it. ` +
          `Move it aside to start with an empty database, or restore a backup with --restore FILE.`,
      );
    }
    const db = openDatabase(path);
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
      const app = createApp(deps, { routes: options.routes, chat, token });
      return { db, services, deps, chat, app };
    } catch (error) {
      services?.retire("close");
      closeDatabase(db);
      throw error;
    }
  }

  /** Restore `path` into the current environment (see `app/restore.ts`). */
  function restoreInto(path: string, allowEmpty: boolean): void {
    if (!backupDir) throw new ConflictError("An in-memory database has no backups to restore.");
    const had = now as Build | undefined;
    restored = restoreTransaction({
      path,
      target: databasePath(config.dataDir, current),
      backupDir,
      environment: current,
      check,
      allowEmpty,
      log,
      close() {
        // No connection may outlive its file: a late checkpoint would land in the new one.
        for (const db of retired) closeDatabase(db);
        retired.clear();
        if (had) {
          had.services.retire("restore");
          closeDatabase(had.db);
        }
      },
      open() {
        now = build(current);
        now.services.context.renew();
      },
      reopen() {
        if (had) now = build(current);
      },
    });
  }

  // Backups under way, so closing can wait for them to stop.
  const running = new Set<Promise<unknown>>();
  function background<T>(work: Promise<T>): Promise<T> {
    const settled = work.then(() => {}, () => {});
    running.add(settled);
    settled.finally(() => running.delete(settled));
    return work;
  }

  // Requests that started on the old database may still await; close it a little later.
  const retired = new Set<Db>();
  function retire(old: Build, why: Retirement): void {
    old.services.retire(why);
    retired.add(old.db);
    const timer = setTimeout(() => {
      retired.delete(old.db);
      closeDatabase(old.db);
    }, 2000);
    Deno.unrefTimer(timer);
  }

  if (config.restore) {
    if (memory) throw new ConflictError("--restore needs a data folder, not :memory:");
    restoreInto(config.restore, true);
  } else {
    now = build(current);
  }
  log.info(`using the ${current} database at ${databasePath(config.dataDir, current)}`);
  let startBackup: ReturnType<typeof setTimeout> | undefined;
  if (backupDir) {
    // What a process stopped mid-copy left behind: hidden, never listed, now gone.
    for (const dir of [backupDir, config.dataDir]) {
      for (const name of sweepTemp(dir)) log.info(`removed the unfinished copy ${dir}/${name}`);
    }
    // Every start keeps a copy (retention bounds them): off the main thread, and only once
    // the first second of start-up (the first pages) is past, so it is never in their way.
    const timer = setTimeout(() => {
      const source = databasePath(config.dataDir, current);
      background(backupInBackground(source, {
        backupDir,
        environment: current,
        reason: "start",
        signal: stopper.signal,
      }))
        .then(({ file, onThread }) =>
          onThread
            ? log.info(`start-up backup: ${file.name}, written on a worker thread`)
            : log.warn(
              `start-up backup: ${file.name}, written on the main thread (too few free file ` +
                `descriptors to start a thread), so requests waited for it`,
            )
        )
        .catch((error) => log.warn(`could not write the start-up backup: ${error.message}`));
    }, START_BACKUP_DELAY_MS);
    Deno.unrefTimer(timer);
    startBackup = timer;
  }

  return {
    fetch: (request) => now.app.fetch(request),
    deps: () => now.deps,
    services: () => now.services,
    db: () => now.db,
    chat: () => now.chat,
    app: () => now.app,
    token,
    stop: () => stopper.abort(),
    close() {
      clearTimeout(startBackup);
      stopper.abort();
      now.services.retire("close");
      for (const old of retired) closeDatabase(old);
      retired.clear();
      closeDatabase(now.db);
      return Promise.all(running).then(() => {});
    },
  };
}
