/**
 * @module
 * A key-value table for server-side settings — the current profile, the
 * chosen model, UI preferences — the DictLikeDB of the FastHTML design
 * Cardflow descends from (see ARCHITECTURE.md). Values are JSON; every
 * operation is logged at debug level so state changes can be traced.
 *
 * Reads are served from memory after the first: this process is the only
 * writer, and a read transaction on a WAL file costs several system calls,
 * which made two settings reads the most expensive part of rendering a page.
 */

import type { Db } from "./db.ts";
import type { Logger } from "./log.ts";
import { defineTable, ValidationError } from "./table.ts";

/** Server-side settings. */
export interface Store {
  get<T = unknown>(key: string): T | undefined;
  get<T>(key: string, fallback: T): T;
  set(key: string, value: unknown): void;
  /** Remove `key`; whether it was there. */
  delete(key: string): boolean;
  has(key: string): boolean;
  keys(): string[];
}

/** Options for {@linkcode createStore}. */
export interface StoreOptions {
  log?: Logger;
  /** Table name; `store` by default. */
  table?: string;
}

/** Create the store over `db`. */
export function createStore(db: Db, options: StoreOptions = {}): Store {
  const table = options.table ?? "store";
  const rows = defineTable(db, table, { key: "text", value: "json?" }, { pk: "key" });
  const log = options.log;
  const checkKey = (key: string) => {
    if (typeof key !== "string" || key.length === 0 || key.length > 200) {
      throw new ValidationError(table, "key", `${table}: keys are 1 to 200 characters`);
    }
  };
  const trace = (message: string) => {
    if (log?.enabled("debug")) log.debug(message);
  };

  // key → stored value, or MISSING when the key is known to be absent.
  const cache = new Map<string, unknown>();
  const MISSING = Symbol("missing");

  function read(key: string): unknown {
    if (cache.has(key)) return cache.get(key);
    const row = rows.find(key);
    const value = row ? row.value : MISSING;
    cache.set(key, value);
    return value;
  }

  function get<T>(key: string, fallback?: T): T | undefined {
    checkKey(key);
    const stored = read(key);
    // Callers get their own copy of objects, so they cannot change the cache.
    const value = stored === MISSING
      ? fallback
      : (typeof stored === "object" && stored !== null ? structuredClone(stored) : stored) as T;
    trace(`store get ${key} → ${JSON.stringify(value) ?? "undefined"}`);
    return value;
  }

  return {
    get: get as Store["get"],
    set(key, value) {
      checkKey(key);
      if (value === undefined) {
        throw new ValidationError(table, "value", `${table}: use delete() to remove "${key}"`);
      }
      rows.upsert({ key, value });
      cache.set(key, structuredClone(value));
      trace(`store set ${key} = ${JSON.stringify(value)}`);
    },
    delete(key) {
      checkKey(key);
      const had = read(key) !== MISSING;
      if (had) rows.delete(key);
      cache.set(key, MISSING);
      trace(`store delete ${key}${had ? "" : " (absent)"}`);
      return had;
    },
    has(key) {
      checkKey(key);
      return read(key) !== MISSING;
    },
    keys() {
      return rows.list({ order: "key" }).map((r) => r.key);
    },
  };
}
