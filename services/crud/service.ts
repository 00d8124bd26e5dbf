/**
 * @module
 * A CRUD app's operations — list, insert, update, delete, toggle, sort —
 * as one code path for the buttons and the assistant alike: values checked
 * against the definition, records scoped to the current profile, each write
 * one transaction, logged, broadcast to open pages, and answered with the
 * operation that undoes it.
 */

import type { Bus } from "../../lib/bus.ts";
import { type Db, transaction } from "../../lib/db.ts";
import { NotFoundError, ValidationError } from "../../lib/errors.ts";
import type { Live } from "../../lib/live.ts";
import type { Logger } from "../../lib/log.ts";
import type { Store } from "../../lib/store.ts";
import { defineTable, type Schema, type Table } from "../../lib/table.ts";
import {
  type CrudDefinition,
  fieldLabel,
  isRequired,
  tableOf,
  titleField,
} from "../../pipeline/crud/define.ts";
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
import { evolveTable, schemaOf } from "./schema.ts";

/** A stored record. */
export type Record_ = Record<string, unknown>;

/** The operations of one app. */
export interface CrudService {
  readonly plugin: LoadedPlugin<CrudDefinition>;
  readonly slug: string;
  readonly definition: CrudDefinition;
  list(): Record_[];
  get(id: number): Record_;
  /** The first record of the whole table (any profile) with `field` equal to `value`. */
  findBy(field: string, value: string | number | boolean): Record_ | undefined;
  insert(values: Record<string, unknown>, source: Source): CrudOutcome;
  update(id: number, values: Record<string, unknown>, source: Source): CrudOutcome;
  delete(id: number, source: Source): CrudOutcome;
  toggle(id: number, source: Source): CrudOutcome;
  sort(order: number[], source: Source): CrudOutcome;
  /** Move a record one place up (-1) or down (+1), for keyboard users. */
  move(id: number, by: -1 | 1, source: Source): CrudOutcome;
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
  /** Told after every committed change (the nav follows the Profiles and Roles apps). */
  changed?(slug: string, action: Exclude<CrudAction, "list">): void;
}

/** Create the service for the CRUD `plugin`, evolving its table to the definition first. */
export function createCrudService(env: CrudEnv, plugin: LoadedPlugin<CrudDefinition>): CrudService {
  const { definition, slug } = plugin;
  const tableName = tableOf(slug, definition);
  const log = env.log.child(slug);
  const changes = env.log.child("crud");
  const evolution = evolveTable(env.db, plugin, { store: env.store, profileId: env.profileId });
  for (const change of evolution.changes) log.info(change);
  const table: Table<Schema> = defineTable(env.db, tableName, schemaOf(definition), {
    pk: "id",
    log,
    // Listing and appending read records in order within a profile: keep that an index walk.
    indexes: [[
      ...(definition.scope ? ["profile_id"] : []),
      ...(definition.sort ? ["position"] : []),
    ]].filter((index) => index.length > 0),
  });
  const fields = new Map(definition.fields.map((f) => [f.name, f]));
  const title = titleField(definition);
  const noun = definition.title.toLowerCase();
  const scoped = definition.scope === "profile";
  const order = definition.sort ? ["position", "id"] : ["id"];

  if (evolution.created && definition.seed) {
    transaction(env.db, () => {
      definition.seed!.forEach((values, i) =>
        table.insert({ ...fill(values, false), ...(definition.sort ? { position: i + 1 } : {}) })
      );
    });
  }

  const scope = (): Record<string, number> => scoped ? { profile_id: env.profileId() ?? 0 } : {};
  const name = (record: Record_) => `"${String(record[title]).slice(0, 60)}"`;
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

  function get(id: number): Record_ {
    if (!Number.isSafeInteger(id) || id < 1) throw missing(id);
    const record = table.find(id) as Record_ | undefined;
    const owner = scope();
    if (!record || (owner.profile_id !== undefined && record.profile_id !== owner.profile_id)) {
      throw missing(id);
    }
    return record;
  }

  function changed(
    action: Exclude<CrudAction, "list">,
    source: Source,
    id?: number,
    before?: Record_,
    after?: Record_,
  ) {
    if (changes.enabled("debug")) {
      changes.debug(`${action} ${tableName} ${id ?? ""} by ${source}`, { before, after });
    }
    env.bus.emit("crud", { app: slug, action, id, before, after, source });
    env.live.publish(`${slug}:changed`);
    env.changed?.(slug, action);
  }

  function list(): Record_[] {
    return table.list({ where: scope(), order }) as Record_[];
  }

  function insert(
    raw: Record<string, unknown>,
    source: Source,
    restore?: CrudOperation["restore"],
  ): CrudOutcome {
    const record = transaction(env.db, () => {
      const fresh = fill(raw, false);
      if (restore) {
        if (!Number.isSafeInteger(restore.id) || restore.id < 1 || table.find(restore.id)) {
          throw new ValidationError(
            slug,
            "id",
            `${definition.title}: record #${restore.id} cannot be restored.`,
          );
        }
        fresh.id = restore.id;
        if (definition.sort && Number.isSafeInteger(restore.position)) {
          fresh.position = restore.position;
        }
      }
      if (definition.sort && fresh.position === undefined) {
        const last = table.list({ where: scope(), order: "-position", limit: 1 })[0];
        fresh.position = ((last?.position as number | undefined) ?? 0) + 1;
      }
      return table.insert({ ...fresh, ...scope() }) as Record_;
    });
    changed("insert", source, record.id as number, undefined, record);
    return {
      message: `Added ${noun} ${name(record)} (#${record.id}).`,
      record,
      undo: { app: slug, action: "delete", id: record.id as number },
    };
  }

  function sort(ids: number[], source: Source): CrudOutcome {
    if (!definition.sort) {
      throw new ValidationError(slug, undefined, `${definition.title} cannot be reordered.`);
    }
    const previous = transaction(env.db, () => {
      const current = list().map((r) => r.id as number);
      const given = Array.isArray(ids) ? ids : [];
      const unique = new Set(given);
      const complete = given.length === current.length && unique.size === given.length &&
        current.every((id) => unique.has(id));
      if (!complete) {
        throw new ValidationError(
          slug,
          "order",
          `${definition.title}: the new order must list each of the ${current.length} records exactly once.`,
        );
      }
      given.forEach((id, i) => table.update(id, { position: i + 1 }));
      return current;
    });
    changed("sort", source);
    return {
      message: `Reordered ${noun}.`,
      undo: { app: slug, action: "sort", order: previous },
    };
  }

  const service: CrudService = {
    plugin,
    slug,
    definition,
    list,
    get,
    findBy(field, value) {
      return table.list({ where: { [field]: value }, order: "id", limit: 1 })[0] as
        | Record_
        | undefined;
    },
    insert: (raw, source) => insert(raw, source),
    update(id, raw, source) {
      const [before, after] = transaction(env.db, () => {
        const before = get(id);
        const changes = fill(raw, true);
        if (Object.keys(changes).length === 0) {
          throw new ValidationError(slug, undefined, `${definition.title}: nothing to change.`);
        }
        return [before, table.update(id, changes) as Record_];
      });
      changed("update", source, id, before, after);
      const undoValues = Object.fromEntries(Object.keys(raw).map((k) => [k, before[k]]));
      return {
        message: `Updated ${noun} ${name(after)} (#${id}).`,
        record: after,
        undo: { app: slug, action: "update", id, values: undoValues },
      };
    },
    delete(id, source) {
      const before = transaction(env.db, () => {
        const before = get(id);
        table.delete(id);
        return before;
      });
      changed("delete", source, id, before);
      const values = Object.fromEntries(definition.fields.map((f) => [f.name, before[f.name]]));
      return {
        message: `Deleted ${noun} ${name(before)} (#${id}).`,
        record: before,
        undo: {
          app: slug,
          action: "insert",
          values,
          restore: {
            id,
            ...(definition.sort ? { position: before.position as number } : {}),
          },
        },
      };
    },
    toggle(id, source) {
      const field = definition.toggle;
      if (!field) {
        throw new ValidationError(slug, undefined, `${definition.title} has nothing to toggle.`);
      }
      const [before, after] = transaction(env.db, () => {
        const before = get(id);
        return [before, table.update(id, { [field]: !before[field] }) as Record_];
      });
      changed("toggle", source, id, before, after);
      return {
        message: `Marked ${noun} ${name(after)} (#${id}) as ${after[field] ? "" : "not "}${
          fieldLabel(fields.get(field)!)
        }.`,
        record: after,
        undo: { app: slug, action: "toggle", id },
      };
    },
    sort,
    move(id, by, source) {
      const ids = list().map((r) => r.id as number);
      const at = ids.indexOf(get(id).id as number);
      const to = at + by;
      if (to < 0 || to >= ids.length) {
        return { message: `${name(get(id))} is already at the ${by < 0 ? "top" : "bottom"}.` };
      }
      [ids[at], ids[to]] = [ids[to]!, ids[at]!];
      return sort(ids, source);
    },
    execute(operation, source) {
      const id = operation.id as number;
      switch (operation.action) {
        case "list": {
          const records = list();
          return {
            message: `${definition.title}: ${records.length} record${
              records.length === 1 ? "" : "s"
            }.`,
            records,
          };
        }
        case "insert":
          // Only an undo (never the assistant) may put a record back under its old id.
          return insert(
            operation.values ?? {},
            source,
            source === "ui" ? operation.restore : undefined,
          );
        case "update":
          return service.update(id, operation.values ?? {}, source);
        case "delete":
          return service.delete(id, source);
        case "toggle":
          return service.toggle(id, source);
        case "sort":
          return sort(operation.order ?? [], source);
        default:
          throw new ValidationError(
            slug,
            undefined,
            `"${
              String(operation.action)
            }" is not an operation (list, insert, update, delete, toggle, sort).`,
          );
      }
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
      if (owned.length) changed("delete", "ui");
      return owned.length;
    },
  };
  return service;
}
