/**
 * @module
 * A CRUD app's operations — find, insert, update, delete, toggle, sort,
 * and changes to many records at once — as one code path for the buttons
 * and the assistant alike: values checked against the definition, records
 * scoped to the current profile, each write (a bulk change or an import
 * too) one transaction, logged, broadcast to open pages, and answered with
 * the one operation that undoes it.
 */

import type { Bus } from "../../lib/bus.ts";
import { type Db, transaction } from "../../lib/db.ts";
import { NotFoundError, ValidationError } from "../../lib/errors.ts";
import type { Live } from "../../lib/live.ts";
import type { Logger } from "../../lib/log.ts";
import type { Store } from "../../lib/store.ts";
import { defineTable, type Schema, type Table } from "../../lib/table.ts";
import { type CrudDefinition, isRequired, tableOf } from "../../pipeline/crud/define.ts";
import { EVERYTHING, type ListQuery } from "../../pipeline/crud/query.ts";
import { parseValue } from "../../pipeline/crud/values.ts";
import type { LoadedPlugin } from "../../pipeline/plugin.ts";
import type {
  CrudAction,
  CrudAppInfo,
  CrudOperation,
  CrudOutcome,
  ServiceEvents,
  Source,
} from "../events.ts";
import { createMany } from "./many.ts";
import { createOps, type Record_, type Step } from "./ops.ts";
import { evolveTable, schemaOf } from "./schema.ts";
import { ensureSearchIndex, orderOf, type Where, whereOf } from "./search.ts";

export type { Record_ } from "./ops.ts";

export type { BulkChange } from "./many.ts";
import type { BulkChange } from "./many.ts";

/** One page of what a query finds. */
export interface Found {
  records: Record_[];
  /** How many records the query finds in all. */
  total: number;
}

/** The operations of one app. */
export interface CrudService {
  readonly plugin: LoadedPlugin<CrudDefinition>;
  readonly slug: string;
  readonly definition: CrudDefinition;
  /** Every record of the current profile, in the app's order. */
  list(): Record_[];
  /** One page of the records `query` finds (search, filters, order), and their number. */
  find(query: ListQuery, page?: { limit: number; offset: number }): Found;
  /** The ids of every record `query` finds, in its order ("select all matching"). */
  ids(query: ListQuery): number[];
  get(id: number): Record_;
  /** The first record of the whole table (any profile) with `field` equal to `value`. */
  findBy(field: string, value: string | number | boolean): Record_ | undefined;
  insert(values: Record<string, unknown>, source: Source): CrudOutcome;
  update(id: number, values: Record<string, unknown>, source: Source): CrudOutcome;
  delete(id: number, source: Source): CrudOutcome;
  toggle(id: number, source: Source): CrudOutcome;
  sort(order: number[], source: Source): CrudOutcome;
  /** Put some records in a new order among themselves (a drag in a filtered or paged list). */
  reorder(order: number[], source: Source): CrudOutcome;
  /**
   * Move a record one place up (-1) or down (+1) among the records `query`
   * shows, for keyboard users.
   */
  move(id: number, by: -1 | 1, source: Source, query?: ListQuery): CrudOutcome;
  /** Change the records `ids` at once: one transaction, one announcement, one undo. */
  bulk(change: BulkChange, ids: number[], source: Source): CrudOutcome;
  /** Insert every one of `rows`, or none: one transaction, one undo. */
  insertMany(rows: Record<string, unknown>[], source: Source): CrudOutcome;
  /** Replace every record with the definition's `seed` (apps that are `restorable`). */
  restoreDefaults(source: Source): CrudOutcome;
  /** Run any operation (the assistant's and the undo's path). */
  execute(operation: CrudOperation, source: Source): CrudOutcome;
  info(): CrudAppInfo;
  /** How many records profile `profileId` owns (scoped apps; 0 otherwise). */
  countOwned(profileId: number): number;
  /** Delete every record of profile `profileId`; call inside the caller's transaction. */
  deleteOwned(profileId: number): number;
}

/** What a CRUD service needs from the services around it. */
export interface CrudEnv {
  db: Db;
  store: Store;
  bus: Bus<ServiceEvents>;
  live: Live;
  log: Logger;
  /** The current profile's id, for scoped apps. */
  profileId(): number | null;
  /** Whether profile `id` exists (where scoped records may be moved). */
  knownProfile?(id: number): boolean;
  /** Told after every committed change (the nav follows the Profiles and Roles apps). */
  changed?(slug: string, action: Exclude<CrudAction, "list">): void;
}

const VERBS: Record<Exclude<CrudAction, "list">, string> = {
  insert: "added",
  update: "updated",
  delete: "deleted",
  toggle: "toggled",
  sort: "reordered",
  reorder: "reordered",
  transfer: "moved",
  batch: "changed",
};

/** Create the service for the CRUD `plugin`, evolving its table to the definition first. */
export function createCrudService(env: CrudEnv, plugin: LoadedPlugin<CrudDefinition>): CrudService {
  const { definition, slug } = plugin;
  const { db } = env;
  const tableName = tableOf(slug, definition);
  const log = env.log.child(slug);
  const changes = env.log.child("crud");
  const evolution = evolveTable(db, plugin, { store: env.store, profileId: env.profileId });
  for (const change of evolution.changes) log.info(change);
  const table: Table<Schema> = defineTable(db, tableName, schemaOf(definition), {
    pk: "id",
    log,
    // Listing and appending read records in order within a profile: keep that an index walk.
    indexes: [[
      ...(definition.scope ? ["profile_id"] : []),
      ...(definition.sort ? ["position"] : []),
    ]].filter((index) => index.length > 0),
  });
  for (const change of ensureSearchIndex(db, tableName, definition, env.store)) log.info(change);
  const fields = new Map(definition.fields.map((f) => [f.name, f]));
  const scoped = definition.scope === "profile";
  const order = definition.sort ? ["position", "id"] : ["id"];

  const scope = (): Record<string, number> => scoped ? { profile_id: env.profileId() ?? 0 } : {};
  const missing = (id: unknown) =>
    new NotFoundError(slug, id, `${definition.title}: there is no record #${String(id)}.`);

  /** Check raw values against the fields; `partial` for updates. */
  function fill(raw: unknown, partial: boolean): Record<string, unknown> {
    if (!raw || typeof raw !== "object" || Array.isArray(raw)) {
      throw new ValidationError(
        slug,
        undefined,
        `${definition.title}: values must be an object of fields.`,
      );
    }
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(raw)) {
      const field = fields.get(key);
      if (!field) {
        throw new ValidationError(
          slug,
          key,
          `${definition.title} has no field "${key}" (fields: ${[...fields.keys()].join(", ")}).`,
        );
      }
      out[key] = parseValue(slug, field, value);
    }
    if (!partial) {
      for (const field of definition.fields) {
        if (!(field.name in out)) out[field.name] = parseValue(slug, field, undefined);
      }
    }
    return out;
  }

  function getOf(id: number, owner: number | undefined): Record_ {
    if (!Number.isSafeInteger(id) || id < 1) throw missing(id);
    const record = table.find(id) as Record_ | undefined;
    if (!record || (owner !== undefined && record.profile_id !== owner)) throw missing(id);
    return record;
  }
  const get = (id: number) => getOf(id, scope().profile_id);

  function list(): Record_[] {
    return table.list({ where: scope(), order }) as Record_[];
  }

  const ops = createOps({
    slug,
    definition,
    table,
    scope,
    fill,
    get,
    getOf: (id, profileId) => getOf(id, profileId),
    list,
    knownProfile: (id) => env.knownProfile?.(id) ?? false,
  });

  // Statements by their SQL: a list query has a handful of shapes.
  const statements = new Map<string, ReturnType<Db["prepare"]>>();
  function prepare(sql: string) {
    let statement = statements.get(sql);
    if (!statement) {
      if (statements.size >= 64) statements.clear();
      statements.set(sql, statement = db.prepare(sql));
    }
    return statement;
  }

  function announce(steps: Step[], source: Source, batch: boolean): void {
    if (steps.length === 0) return;
    const step = steps[0]!;
    if (batch) {
      if (changes.enabled("debug")) {
        changes.debug(`batch ${tableName} (${steps.length}) by ${source}`, {
          steps: steps.map((s) => [s.action, s.id]),
        });
      }
      env.bus.emit("crud", { app: slug, action: "batch", count: steps.length, source });
    } else {
      if (changes.enabled("debug")) {
        changes.debug(`${step.action} ${tableName} ${step.id ?? ""} by ${source}`, {
          before: step.before,
          after: step.action === "delete" ? undefined : step.record,
        });
      }
      env.bus.emit("crud", {
        app: slug,
        action: step.action,
        id: step.id,
        before: step.before,
        after: step.action === "delete" ? undefined : step.record,
        source,
      });
    }
    env.live.publish(`${slug}:changed`);
    env.changed?.(slug, batch ? "batch" : step.action);
  }

  function summary(steps: Step[]): string {
    const actions = new Set(steps.map((s) => s.action));
    const n = steps.length;
    if (actions.size !== 1) return `${definition.title}: ${n} changes.`;
    return `${definition.title}: ${VERBS[steps[0]!.action]} ${n} record${n === 1 ? "" : "s"}.`;
  }

  /** Run `operations` in one transaction, announce them once, and answer with one undo. */
  function perform(
    operations: CrudOperation[],
    source: Source,
    options: { batch: boolean; message?: string },
  ): CrudOutcome {
    const trusted = source === "ui";
    if (options.batch && !trusted) {
      throw new ValidationError(slug, undefined, "A batch of changes comes only from the page.");
    }
    const steps = transaction(db, () =>
      operations.map((op) => {
        if (op.action === "batch") {
          throw new ValidationError(slug, undefined, "A batch cannot hold another batch.");
        }
        if (op.app !== undefined && op.app !== slug) {
          throw new ValidationError(slug, "app", `A batch of ${slug} changes only ${slug}.`);
        }
        return ops.run(op, trusted);
      }));
    announce(steps, source, options.batch);
    if (!options.batch) {
      const step = steps[0]!;
      return { message: step.message, record: step.record, undo: step.undo };
    }
    const undos = steps.map((s) => s.undo).filter((u) => u !== undefined).reverse();
    return {
      message: options.message ??
        (steps.length === 1 ? steps[0]!.message : summary(steps)),
      ...(undos.length ? { undo: { app: slug, action: "batch", ops: undos } } : {}),
    };
  }
  const one = (op: Omit<CrudOperation, "app">, source: Source) =>
    perform([{ app: slug, ...op }], source, { batch: false });

  function where(query: ListQuery): Where | null {
    return whereOf(tableName, definition, query, scope());
  }

  const many = createMany({ slug, definition, perform, get, list });

  const service: CrudService = {
    plugin,
    slug,
    definition,
    list,
    find(query, page = { limit: -1, offset: 0 }) {
      const w = where(query);
      if (!w) return { records: [], total: 0 };
      const from = `FROM "${tableName}" t${w.sql}`;
      const total = Number(
        (prepare(`SELECT COUNT(*) AS n ${from}`).get(...w.params) as { n: number }).n,
      );
      const rows = prepare(`SELECT t.* ${from}${orderOf(definition, query)} LIMIT ? OFFSET ?`)
        .all(...w.params, page.limit, page.offset) as Record<string, unknown>[];
      return { records: rows.map((r) => table.decode(r) as Record_), total };
    },
    ids(query) {
      const w = where(query);
      if (!w) return [];
      return (prepare(`SELECT t.id FROM "${tableName}" t${w.sql}${orderOf(definition, query)}`)
        .all(...w.params) as { id: number }[]).map((r) => Number(r.id));
    },
    get,
    findBy(field, value) {
      return table.list({ where: { [field]: value }, order: "id", limit: 1 })[0] as
        | Record_
        | undefined;
    },
    insert: (values, source) => one({ action: "insert", values }, source),
    update: (id, values, source) => one({ action: "update", id, values }, source),
    delete: (id, source) => one({ action: "delete", id }, source),
    toggle: (id, source) => one({ action: "toggle", id }, source),
    sort: (order, source) => one({ action: "sort", order }, source),
    reorder: (order, source) => one({ action: "reorder", order }, source),
    move(id, by, source, query = EVERYTHING) {
      if (!definition.sort) {
        throw new ValidationError(slug, undefined, `${definition.title} cannot be reordered.`);
      }
      const record = get(id);
      const w = where({ ...query, sort: undefined }) ?? { sql: "", params: [] };
      const up = by < 0;
      const sql = `SELECT t.id FROM "${tableName}" t${w.sql ? `${w.sql} AND` : " WHERE"} ` +
        `(t.position ${up ? "<" : ">"} ? OR (t.position = ? AND t.id ${up ? "<" : ">"} ?)) ` +
        `ORDER BY t.position ${up ? "DESC" : "ASC"}, t.id ${up ? "DESC" : "ASC"} LIMIT 1`;
      const neighbour = prepare(sql).get(
        ...w.params,
        record.position as number,
        record.position as number,
        id,
      ) as { id: number } | undefined;
      if (!neighbour) {
        return {
          message: `${definition.title}: that record is already at the ${up ? "top" : "bottom"}.`,
        };
      }
      const other = Number(neighbour.id);
      return one({ action: "reorder", order: up ? [id, other] : [other, id] }, source);
    },
    ...many,
    execute(operation, source) {
      if (operation.action === "list") {
        const records = list();
        return {
          message: `${definition.title}: ${records.length} record${
            records.length === 1 ? "" : "s"
          }.`,
          records,
        };
      }
      if (operation.action === "batch") {
        return perform(Array.isArray(operation.ops) ? operation.ops : [], source, {
          batch: true,
        });
      }
      return perform([operation], source, { batch: false });
    },
    info() {
      return {
        slug,
        title: definition.title,
        description: definition.description,
        fields: definition.fields.map((f) => ({
          name: f.name,
          type: f.type,
          required: isRequired(f),
          description: f.description,
          ...(f.options ? { options: [...f.options] } : {}),
        })),
        toggle: definition.toggle,
        scoped,
        llm: definition.llm,
      };
    },
    countOwned(profileId) {
      return scoped ? table.count({ profile_id: profileId }) : 0;
    },
    deleteOwned(profileId) {
      if (!scoped) return 0;
      const owned = table.list({ where: { profile_id: profileId } });
      for (const record of owned) table.delete(record.id as number);
      if (owned.length) {
        env.bus.emit("crud", { app: slug, action: "batch", count: owned.length, source: "ui" });
        env.live.publish(`${slug}:changed`);
        env.changed?.(slug, "delete");
      }
      return owned.length;
    },
  };

  if (evolution.created && definition.seed) {
    transaction(db, () => {
      definition.seed!.forEach((values, i) =>
        table.insert({ ...fill(values, false), ...(definition.sort ? { position: i + 1 } : {}) })
      );
    });
  }
  return service;
}
