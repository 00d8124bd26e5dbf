/**
 * @module
 * The one object every route, engine and service receives. Nothing in Cardflow
 * reaches for globals: what a module needs comes through `deps`, which is what
 * makes tests simple (an in-memory database and a fake LLM) and two tabs safe.
 */

import type { Hono } from "hono";
import type { Assets } from "./assets.ts";
import type { Bus } from "./bus.ts";
import type { Config } from "./config.ts";
import type { Db } from "./db.ts";
import type { Live } from "./live.ts";
import type { Logger } from "./log.ts";
import type { Store } from "./store.ts";
import type { PluginDefinition } from "../pipeline/plugin.ts";
import type { ChatHub } from "./chat/hub.tsx";
import type { Llm } from "./llm.ts";
import type { Nav } from "./nav.ts";

/** The two databases a user switches between in the nav bar. */
export type Environment = "development" | "production";

/** The environment switch, implemented by the runtime. */
export interface EnvironmentControl {
  readonly current: Environment;
  /** Reopen Cardflow on the other environment's database. */
  switch(to: Environment): Promise<void>;
  /** Empty the development database (only while in development). */
  resetDevelopment(): Promise<void>;
  /** Replace the current database with the backup file at `path`, then reopen. */
  restore(path: string): Promise<void>;
}

/**
 * Events on the in-process bus. Features add their event types here; emitting
 * never blocks the emitter (see `lib/bus.ts`).
 */
export interface AppEvents {
  environment: { environment: Environment };
  /** A workflow transition (pipeline engine → chat commentary). */
  pipeline: PipelineEvent;
  /** A change to a CRUD app's records (CRUD engine → chat, logs). */
  crud: CrudEvent;
}

/** What a workflow transition tells the rest of the app. */
export interface PipelineEvent {
  workflow: string;
  key: string;
  operation: "start" | "submit" | "revert" | "finalize" | "unfinalize" | "delete";
  step?: string;
  values?: Record<string, unknown>;
}

/** The operations a CRUD app offers, to buttons and to the LLM alike. */
export type CrudAction = "list" | "insert" | "update" | "delete" | "toggle" | "sort";

/** One CRUD operation, as a button or the LLM asks for it. */
export interface CrudOperation {
  /** The app's slug, e.g. "tasks". */
  app: string;
  action: CrudAction;
  /** The record, for update, delete and toggle. */
  id?: number;
  /** Field values, for insert and update. */
  values?: Record<string, unknown>;
  /** Every record id in the new order, for sort. */
  order?: number[];
}

/** What a CRUD operation did. */
export interface CrudOutcome {
  /** One sentence for the chat or a notice: "Added task 'Buy milk' (#4)." */
  message: string;
  record?: Record<string, unknown>;
  records?: Record<string, unknown>[];
  /** The operation that reverses this one, if any. */
  undo?: CrudOperation;
}

/** A change to a CRUD app's records. */
export interface CrudEvent {
  app: string;
  action: Exclude<CrudAction, "list">;
  id?: number;
  before?: Record<string, unknown>;
  after?: Record<string, unknown>;
  source: "ui" | "llm";
}

/** A CRUD app as the LLM's system prompt describes it. */
export interface CrudAppInfo {
  slug: string;
  title: string;
  description: string;
  fields: { name: string; type: string; required: boolean; description?: string }[];
  /** The boolean field `toggle` flips, if any. */
  toggle?: string;
  /** Whether records belong to the current profile. */
  scoped: boolean;
  llm?: string;
}

/**
 * The CRUD engine's programmatic face: the same code path the buttons use,
 * validated against each app's definition and scoped to the current profile.
 * `execute` throws `ValidationError` / `NotFoundError` (lib/table.ts) with a
 * clear message and changes nothing when it refuses.
 */
export interface CrudPort {
  apps(): CrudAppInfo[];
  execute(operation: CrudOperation, source: "ui" | "llm"): CrudOutcome;
  /** Called by the CRUD engine as it mounts each app. */
  register(app: CrudApp): void;
}

/** One CRUD app as the port sees it. */
export interface CrudApp {
  info(): CrudAppInfo;
  execute(operation: CrudOperation, source: "ui" | "llm"): CrudOutcome;
}

/** A plugin file after discovery and validation. */
export interface LoadedPlugin {
  /** From the file name: `plugins/060_tasks.tsx` → `tasks`, its URL prefix `/tasks`. */
  slug: string;
  /** Menu order, from the file name's number. */
  order: number;
  /** The file name, for error messages. */
  file: string;
  definition: PluginDefinition;
}

/** Everything a module may use. */
export interface Deps {
  config: Config;
  log: Logger;
  db: Db;
  store: Store;
  bus: Bus<AppEvents>;
  live: Live;
  assets: Assets;
  plugins: readonly LoadedPlugin[];
  environment: EnvironmentControl;
  /** Changes on every start; dev mode reloads pages when it does. */
  bootId: string;
  /** Aborts when the server stops: long-lived streams and sockets end on it. */
  signal: AbortSignal;
  /** CRUD apps, for the chat's CRUD-by-request. */
  crud: CrudPort;
  /** The local LLM. */
  llm: Llm;
  /** The chat: sockets, conversation, streaming answers. */
  chat: ChatHub;
  /** The nav bar's profiles and roles, cached. */
  nav: Nav;
  /** Rendered page shells by their props (see `lib/shell.tsx`); per app, bounded. */
  memo: Map<string, unknown>;
}

/** A route module's default export: build the sub-app mounted at its path. */
export type RouteFactory = (deps: Deps) => Hono;
