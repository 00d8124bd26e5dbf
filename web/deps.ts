/**
 * @module
 * The one object every route and engine receives. Nothing in Cardflow
 * reaches for globals: what a module needs comes through `deps`, which is
 * what makes tests simple (an in-memory database and a fake LLM) and two
 * tabs safe. `services` is the current database's; a switch builds new deps.
 */

import type { Hono } from "hono";
import type { Assets } from "../lib/assets.ts";
import type { BackupFile } from "../lib/backup.ts";
import type { Bus } from "../lib/bus.ts";
import type { Config } from "../lib/config.ts";
import type { Live } from "../lib/live.ts";
import type { Logger } from "../lib/log.ts";
import type { Environment, ServiceEvents } from "../services/events.ts";
import type { Services } from "../services/mod.ts";

/** A restore that happened, for the notice that says so and offers to undo it. */
export interface Restored {
  environment: Environment;
  /** The file name of the backup restored. */
  from: string;
  /** The backup name the replaced database was kept under (restoring it undoes this one). */
  previous: string | undefined;
  at: Date;
}

/** The database files: which one is open, and the operations that replace it. Implemented by the runtime. */
export interface Databases {
  readonly current: Environment;
  /** Where backups are kept; undefined for an in-memory database. */
  readonly backupDir: string | undefined;
  /** Reopen Cardflow on the other environment's database. */
  switch(to: Environment): Promise<void>;
  /** Empty the development database (only while in development). */
  resetDevelopment(): Promise<void>;
  /**
   * Replace the current database with the backup file at `path`, then reopen;
   * a refused or failed restore throws `BackupError` and leaves the database
   * as it was (`EmptyBackupError` when the file holds no records and
   * `allowEmpty` was not given).
   */
  restore(path: string, options?: { allowEmpty?: boolean }): Promise<Restored>;
  /** The last restore into the current database, if any since start-up. */
  lastRestore(): Restored | undefined;
  /** Copy the current database to a new backup file. */
  backup(): Promise<BackupFile>;
}

/** Everything a route or engine may use. */
export interface Deps {
  config: Config;
  log: Logger;
  bus: Bus<ServiceEvents>;
  live: Live;
  assets: Assets;
  /** The current database's services: all data goes through them. */
  services: Services;
  databases: Databases;
  /** Changes on every start; dev mode reloads pages when it does. */
  bootId: string;
  /** Aborts when the server stops: long-lived streams and sockets end on it. */
  signal: AbortSignal;
  /** Rendered page shells by their inputs (see `web/shell.tsx`); per database, bounded. */
  memo: Map<string, unknown>;
}

/** A route module's default export: build the sub-app mounted at its path. */
export type RouteFactory = (deps: Deps) => Hono;

/** A route module as listed in the manifest. */
export interface RouteEntry {
  /** URL path the module is mounted at, from its file name. */
  path: string;
  file: string;
  module: { default: RouteFactory };
}
