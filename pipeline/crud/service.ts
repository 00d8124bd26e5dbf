/**
 * @module
 * A CRUD app's operations — list, insert, update, delete, toggle, sort —
 * as one code path for the buttons and the LLM alike: values checked against
 * the definition, records scoped to the current profile, each write one
 * transaction, logged, broadcast to open pages, and answered with the
 * operation that undoes it.
 */

import { transaction } from "../../lib/db.ts";
import type { CrudApp, CrudAppInfo, CrudOperation, CrudOutcome, Deps } from "../../lib/deps.ts";
import { currentProfile } from "../../lib/profile.ts";
import {
  defineTable,
  NotFoundError,
  type Schema,
  type Table,
  ValidationError,
} from "../../lib/table.ts";
import { type CrudDefinition, type CrudField, titleField } from "./define.ts";

/** A stored record. */
export type Record_ = Record<string, unknown>;

/** Where a change came from. */
export type Source = "ui" | "llm";

/** The operations of one app. */
export interface CrudService extends CrudApp {
  readonly definition: CrudDefinition;
  readonly slug: string;
  readonly table: Table<Schema>;
  list(): Record_[];
  get(id: number): Record_;
  insert(values: Record<string, unknown>, source: Source): CrudOutcome;
  update(id: number, values: Record<string, unknown>, source: Source): CrudOutcome;
  delete(id: number, source: Source): CrudOutcome;
  toggle(id: number, source: Source): CrudOutcome;
  sort(order: number[], source: Source): CrudOutcome;
  /** Move a record one place up (-1) or down (+1), for keyboard users. */
  move(id: number, by: -1 | 1, source: Source): CrudOutcome;
}

/** Text fields accept at most this many characters unless a field says otherwise. */
export const MAX_TEXT = 500;

function schemaOf(definition: CrudDefinition): Schema {
  const schema: Schema = { id: "int" };
  for (const field of definition.fields) {
    const required = field.required ?? field.type === "text";
    schema[field.name] = field.type === "bool"
      ? "bool"
      : `${field.type}${required ? "" : "?"}` as "text";
  }
  if (definition.sort) schema.position = "int";
  if (definition.scope === "profile") schema.profile_id = "int";
  return schema;
}

function labelOf(field: CrudField): string {
  return field.label ?? field.name.replaceAll("_", " ");
}

/** Check one value for `field`; forms send strings, the LLM sends JSON. */
export function parseValue(
  app: string,
  field: CrudField,
  raw: unknown,
): string | number | boolean | null {
  const label = labelOf(field);
  const required = field.required ?? field.type === "text";
  if (field.type === "bool") {
    if (typeof raw === "boolean") return raw;
    if (raw === "on" || raw === "true" || raw === "1") return true;
    if (raw === "false" || raw === "0" || raw === "" || raw === undefined || raw === null) {
      return false;
    }
    throw new ValidationError(app, field.name, `${label} must be true or false.`);
  }
  if (raw === undefined || raw === null || (typeof raw === "string" && raw.trim() === "")) {
    if (required) throw new ValidationError(app, field.name, `${label} is required.`);
    return null;
  }
  if (field.type === "int") {
    const n = typeof raw === "number"
      ? raw
      : typeof raw === "string" && /^-?\d{1,15}$/.test(raw.trim())
      ? Number(raw)
      : NaN;
    if (!Number.isSafeInteger(n)) {
      throw new ValidationError(app, field.name, `${label} must be a whole number.`);
    }
    return n;
  }
  if (typeof raw !== "string") throw new ValidationError(app, field.name, `${label} must be text.`);
  const text = raw.trim();
  const max = field.maxLength ?? MAX_TEXT;
  if (text.length > max) {
    throw new ValidationError(app, field.name, `${label} is too long: at most ${max} characters.`);
  }
  return text;
}

/** Create the service for the CRUD plugin `slug`. */
export function createCrudService(
  deps: Deps,
  slug: string,
  definition: CrudDefinition,
): CrudService {
  const tableName = definition.table ?? slug.replaceAll("-", "_");
  const defaults: Record<string, unknown> = { position: 0, profile_id: 0 };
  for (const field of definition.fields) if (field.type === "bool") defaults[field.name] = false;
  const table = defineTable(deps.db, tableName, schemaOf(definition), {
    pk: "id",
    defaults,
    log: deps.log.child(slug),
    // Listing and appending read records in order within a profile: keep that an index walk.
    indexes: [[
      ...(definition.scope ? ["profile_id"] : []),
      ...(definition.sort ? ["position"] : []),
    ]]
      .filter((index) => index.length > 0),
  });
  const fields = new Map(definition.fields.map((f) => [f.name, f]));
  const title = titleField(definition);
  const log = deps.log.child("crud");

  if (definition.seed && table.count() === 0) {
    transaction(deps.db, () => {
      definition.seed!.forEach((values, i) => table.insert({ ...values, position: i + 1 }));
    });
  }

  const scope = (): Record<string, number> =>
    definition.scope === "profile" ? { profile_id: currentProfile(deps.store).id ?? 0 } : {};
  const order = definition.sort ? ["position", "id"] : ["id"];
  const name = (record: Record_) => `"${String(record[title]).slice(0, 60)}"`;
  const noun = definition.title.toLowerCase();

  function values(raw: Record<string, unknown>, partial: boolean): Record<string, unknown> {
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
        const known = [...fields.keys()].join(", ");
        throw new ValidationError(
          slug,
          key,
          `${definition.title} has no field "${key}" (fields: ${known}).`,
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
    if (!Number.isSafeInteger(id) || id < 1) {
      throw new NotFoundError(slug, id, `${definition.title}: there is no record #${id}.`);
    }
    const record = table.find(id) as Record_ | undefined;
    const owner = scope();
    if (!record || (owner.profile_id !== undefined && record.profile_id !== owner.profile_id)) {
      throw new NotFoundError(slug, id, `${definition.title}: there is no record #${id}.`);
    }
    return record;
  }

  function changed(
    action: "insert" | "update" | "delete" | "toggle" | "sort",
    source: Source,
    id?: number,
    before?: Record_,
    after?: Record_,
  ) {
    if (log.enabled("debug")) {
      log.debug(`${action} ${tableName} ${id ?? ""} by ${source}`, { before, after });
    }
    deps.bus.emit("crud", {
      app: slug,
      action,
      id,
      before: before ?? undefined,
      after: after ?? undefined,
      source,
    });
    deps.live.publish(`${slug}:changed`);
  }

  function list(): Record_[] {
    return table.list({ where: scope(), order }) as Record_[];
  }

  const service: CrudService = {
    definition,
    slug,
    table,
    list,
    get,
    insert(raw, source) {
      if (!raw || typeof raw !== "object" || Array.isArray(raw)) values(raw, false);
      // `id` and `position` come back only when an undo restores a deleted record.
      const { id: wantedId, position: wantedPosition, ...rest } = raw;
      const record = transaction(deps.db, () => {
        const fresh = values(rest, false);
        if (wantedId !== undefined) {
          if (
            !Number.isSafeInteger(wantedId) || (wantedId as number) < 1 ||
            table.find(wantedId as number)
          ) {
            throw new ValidationError(
              slug,
              "id",
              `${definition.title}: record #${wantedId} cannot be restored.`,
            );
          }
          fresh.id = wantedId;
          if (definition.sort && Number.isSafeInteger(wantedPosition)) {
            fresh.position = wantedPosition;
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
    },
    update(id, raw, source) {
      const [before, after] = transaction(deps.db, () => {
        const before = get(id);
        const changes = values(raw, true);
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
      const before = transaction(deps.db, () => {
        const before = get(id);
        table.delete(id);
        return before;
      });
      changed("delete", source, id, before);
      const { profile_id: _p, ...restorable } = before;
      return {
        message: `Deleted ${noun} ${name(before)} (#${id}).`,
        record: before,
        undo: { app: slug, action: "insert", values: restorable },
      };
    },
    toggle(id, source) {
      const field = definition.toggle;
      if (!field) {
        throw new ValidationError(slug, undefined, `${definition.title} has nothing to toggle.`);
      }
      const [before, after] = transaction(deps.db, () => {
        const before = get(id);
        return [before, table.update(id, { [field]: !before[field] }) as Record_];
      });
      changed("toggle", source, id, before, after);
      return {
        message: `Marked ${noun} ${name(after)} (#${id}) as ${after[field] ? "" : "not "}${
          labelOf(fields.get(field)!)
        }.`,
        record: after,
        undo: { app: slug, action: "toggle", id },
      };
    },
    sort(ids, source) {
      if (!definition.sort) {
        throw new ValidationError(slug, undefined, `${definition.title} cannot be reordered.`);
      }
      const previous = transaction(deps.db, () => {
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
        message: `Reordered ${definition.title.toLowerCase()}.`,
        undo: { app: slug, action: "sort", order: previous },
      };
    },
    move(id, by, source) {
      const ids = list().map((r) => r.id as number);
      const at = ids.indexOf(get(id).id as number);
      const to = at + by;
      if (to < 0 || to >= ids.length) {
        return { message: `${name(get(id))} is already at the ${by < 0 ? "top" : "bottom"}.` };
      }
      [ids[at], ids[to]] = [ids[to]!, ids[at]!];
      return service.sort(ids, source);
    },
    info(): CrudAppInfo {
      return {
        slug,
        title: definition.title,
        description: definition.description,
        fields: definition.fields.map((f) => ({
          name: f.name,
          type: f.type,
          required: f.required ?? f.type === "text",
          description: f.description,
        })),
        toggle: definition.toggle,
        scoped: definition.scope === "profile",
        llm: definition.llm,
      };
    },
    execute(operation: CrudOperation, source: Source): CrudOutcome {
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
          return service.insert(operation.values ?? {}, source);
        case "update":
          return service.update(id, operation.values ?? {}, source);
        case "delete":
          return service.delete(id, source);
        case "toggle":
          return service.toggle(id, source);
        case "sort":
          return service.sort(operation.order ?? [], source);
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
  };
  return service;
}
