/**
 * @module
 * The operations on one app's table, each answering with what it did and
 * the operation that undoes it. They run inside the caller's transaction
 * and tell no one: `service.ts` wraps one operation (or a batch of them)
 * in one transaction and announces the change once.
 */

import { ValidationError } from "../../lib/errors.ts";
import type { Schema, Table } from "../../lib/table.ts";
import { type CrudDefinition, fieldLabel } from "../../pipeline/crud/define.ts";
import type { CrudAction, CrudOperation } from "../events.ts";

/** A stored record. */
export type Record_ = Record<string, unknown>;

/** What one operation did. */
export interface Step {
  message: string;
  action: Exclude<CrudAction, "list">;
  id?: number;
  record?: Record_;
  before?: Record_;
  undo?: CrudOperation;
}

/** What the operations need from their service. */
export interface OpsContext {
  slug: string;
  definition: CrudDefinition;
  table: Table<Schema>;
  /** The current profile's column for scoped apps; `{}` otherwise. */
  scope(): Record<string, number>;
  /** Values checked against the fields; `partial` for updates. */
  fill(raw: unknown, partial: boolean): Record<string, unknown>;
  /** A record of the current profile; NotFoundError otherwise. */
  get(id: number): Record_;
  /** A record of profile `profileId` (for an undo of a move to another profile). */
  getOf(id: number, profileId: number): Record_;
  /** Every record of the current profile, in the app's order. */
  list(): Record_[];
  /** Whether profile `id` exists. */
  knownProfile(id: number): boolean;
}

/** Actions the assistant may ask for; the rest are the page's and the undo's. */
export const ASSISTANT_ACTIONS: readonly CrudAction[] = [
  "list",
  "insert",
  "update",
  "delete",
  "toggle",
  "sort",
];

/** The operations of one app, over `ctx`. */
export function createOps(ctx: OpsContext) {
  const { slug, definition, table } = ctx;
  const title = definition.fields.find((f) => f.type === "text")!.name;
  const noun = definition.title.toLowerCase();
  const name = (record: Record_) => `"${String(record[title]).slice(0, 60)}"`;
  const invalid = (message: string, field?: string) => new ValidationError(slug, field, message);

  function insert(raw: unknown, restore?: CrudOperation["restore"]): Step {
    const fresh = ctx.fill(raw, false);
    if (restore) {
      if (!Number.isSafeInteger(restore.id) || restore.id < 1 || table.find(restore.id)) {
        throw invalid(`${definition.title}: record #${restore.id} cannot be restored.`, "id");
      }
      fresh.id = restore.id;
      if (definition.sort && Number.isSafeInteger(restore.position)) {
        fresh.position = restore.position;
      }
    }
    if (definition.sort && fresh.position === undefined) {
      const last = table.list({ where: ctx.scope(), order: "-position", limit: 1 })[0];
      fresh.position = ((last?.position as number | undefined) ?? 0) + 1;
    }
    const record = table.insert({ ...fresh, ...ctx.scope() }) as Record_;
    const id = record.id as number;
    return {
      action: "insert",
      message: `Added ${noun} ${name(record)} (#${id}).`,
      id,
      record,
      undo: { app: slug, action: "delete", id },
    };
  }

  function update(id: number, raw: Record<string, unknown>): Step {
    const before = ctx.get(id);
    const changes = ctx.fill(raw, true);
    if (Object.keys(changes).length === 0) {
      throw invalid(`${definition.title}: nothing to change.`);
    }
    const after = table.update(id, changes) as Record_;
    const undoValues = Object.fromEntries(Object.keys(changes).map((k) => [k, before[k]]));
    return {
      action: "update",
      message: `Updated ${noun} ${name(after)} (#${id}).`,
      id,
      record: after,
      before,
      undo: { app: slug, action: "update", id, values: undoValues },
    };
  }

  function remove(id: number): Step {
    const before = ctx.get(id);
    table.delete(id);
    const values = Object.fromEntries(definition.fields.map((f) => [f.name, before[f.name]]));
    return {
      action: "delete",
      message: `Deleted ${noun} ${name(before)} (#${id}).`,
      id,
      record: before,
      before,
      undo: {
        app: slug,
        action: "insert",
        values,
        restore: { id, ...(definition.sort ? { position: before.position as number } : {}) },
      },
    };
  }

  function toggle(id: number): Step {
    const field = definition.toggle;
    if (!field) throw invalid(`${definition.title} has nothing to toggle.`);
    const before = ctx.get(id);
    const after = table.update(id, { [field]: !before[field] }) as Record_;
    const label = fieldLabel(definition.fields.find((f) => f.name === field)!);
    return {
      action: "toggle",
      message: `Marked ${noun} ${name(after)} (#${id}) as ${after[field] ? "" : "not "}${label}.`,
      id,
      record: after,
      before,
      undo: { app: slug, action: "toggle", id },
    };
  }

  function sortable(): void {
    if (!definition.sort) throw invalid(`${definition.title} cannot be reordered.`);
  }

  function sort(ids: unknown): Step {
    sortable();
    const current = ctx.list().map((r) => r.id as number);
    const given = Array.isArray(ids) ? ids : [];
    const unique = new Set(given);
    const complete = given.length === current.length && unique.size === given.length &&
      current.every((id) => unique.has(id));
    if (!complete) {
      throw invalid(
        `${definition.title}: the new order must list each of the ${current.length} records exactly once.`,
        "order",
      );
    }
    given.forEach((id, i) => table.update(id, { position: i + 1 }));
    return {
      action: "sort",
      message: `Reordered ${noun}.`,
      undo: { app: slug, action: "sort", order: current },
    };
  }

  /**
   * Put some records in a new order among themselves: they take the places
   * they held between them, in the order given; every other record stays.
   * What dragging in a filtered or partly loaded list means.
   */
  function reorder(ids: unknown): Step {
    sortable();
    const given = Array.isArray(ids) ? ids : [];
    if (given.length < 2 || new Set(given).size !== given.length) {
      throw invalid(
        `${definition.title}: a new order needs two or more different records.`,
        "order",
      );
    }
    let records = given.map((id) => ctx.get(id as number));
    const byPlace = (a: Record_, b: Record_) =>
      (a.position as number) - (b.position as number) || (a.id as number) - (b.id as number);
    if (new Set(records.map((r) => r.position)).size !== records.length) {
      // Two records share a place (an undone delete came back beside a newer record): number
      // the whole list again first, keeping its order, so every record has a place of its own.
      ctx.list().forEach((r, i) => {
        if (r.position !== i + 1) table.update(r.id as number, { position: i + 1 });
      });
      records = given.map((id) => ctx.get(id as number));
    }
    const previous = [...records].sort(byPlace);
    const places = previous.map((r) => r.position as number);
    records.forEach((r, i) => {
      if (r.position !== places[i]) table.update(r.id as number, { position: places[i]! });
    });
    return {
      action: "reorder",
      message: `Reordered ${noun}.`,
      undo: { app: slug, action: "reorder", order: previous.map((r) => r.id as number) },
    };
  }

  /** Move records to another profile (scoped apps); `from` and `positions` only in an undo. */
  function transfer(op: CrudOperation): Step {
    if (definition.scope !== "profile") {
      throw invalid(`${definition.title} does not belong to profiles.`);
    }
    const ids = Array.isArray(op.ids) ? op.ids : [];
    const to = op.profile;
    if (ids.length === 0) throw invalid(`${definition.title}: choose the records to move.`);
    if (!Number.isSafeInteger(to) || !ctx.knownProfile(to!)) {
      throw invalid(`There is no profile #${String(to)} to move to.`, "profile");
    }
    const records = ids.map((id) => op.from === undefined ? ctx.get(id) : ctx.getOf(id, op.from));
    const from = records[0]!.profile_id as number;
    if (from === to) throw invalid(`${definition.title}: those records are already there.`);
    let next = definition.sort
      ? ((table.list({ where: { profile_id: to! }, order: "-position", limit: 1 })[0]?.position as
        | number
        | undefined) ?? 0)
      : 0;
    records.forEach((r, i) => {
      const position = op.positions?.[i] ?? ++next;
      table.update(r.id as number, {
        profile_id: to!,
        ...(definition.sort ? { position } : {}),
      });
    });
    return {
      action: "transfer",
      message: `Moved ${records.length} record${records.length === 1 ? "" : "s"} of ${noun} ` +
        `to another profile.`,
      undo: {
        app: slug,
        action: "transfer",
        ids: records.map((r) => r.id as number),
        profile: from,
        from: to,
        ...(definition.sort ? { positions: records.map((r) => r.position as number) } : {}),
      },
    };
  }

  /** Run one operation (never a batch: the service runs those). */
  function run(op: CrudOperation, trusted: boolean): Step {
    const id = op.id as number;
    switch (op.action) {
      case "insert":
        // Only an undo (never the assistant) may put a record back under its old id.
        return insert(op.values ?? {}, trusted ? op.restore : undefined);
      case "update":
        return update(id, op.values ?? {});
      case "delete":
        return remove(id);
      case "toggle":
        return toggle(id);
      case "sort":
        return sort(op.order);
      case "reorder":
        return reorder(op.order);
      case "transfer":
        if (!trusted) break;
        return transfer(op);
      default:
        break;
    }
    throw invalid(
      `"${String(op.action)}" is not an operation (list, insert, update, delete, toggle, sort).`,
    );
  }

  return { run };
}
