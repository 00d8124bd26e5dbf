/**
 * @module
 * The `crud` tool: list, read and change records of the CRUD apps the
 * assistant may use, in the current profile, through the same service path
 * as the buttons. Deleting is only proposed; the model never chooses ids for
 * new records, nor positions.
 */

import { NotFoundError, ValidationError } from "../lib/errors.ts";
import type { ToolCall, ToolSpec } from "../lib/llm.ts";
import type { CrudAppInfo, CrudOperation } from "../services/events.ts";
import type { Services } from "../services/mod.ts";
import { args, bounded, record, type ToolOutcome, wholeNumber } from "./tool_args.ts";

const CRUD_ACTIONS = ["list", "get", "insert", "update", "toggle", "sort", "delete"] as const;

/** The `crud` tool's description for `apps`. */
export function crudToolSpec(apps: readonly CrudAppInfo[]): ToolSpec {
  return {
    type: "function",
    function: {
      name: "crud",
      description: "List, read, add, change, tick off, reorder or delete records of one of " +
        "Cardflow's list apps. Records belong to the current profile. Deleting is only " +
        "proposed: the person confirms it.",
      parameters: {
        type: "object",
        required: ["app", "action"],
        properties: {
          app: { type: "string", enum: apps.map((a) => a.slug), description: "which app" },
          action: { type: "string", enum: [...CRUD_ACTIONS] },
          id: { type: "integer", description: "the record, for get, update, toggle, delete" },
          values: { type: "object", description: "field values, for insert and update" },
          where: {
            type: "object",
            description: "for list: only records whose fields equal these values",
          },
          order: {
            type: "array",
            items: { type: "integer" },
            description: "every record id in the new order, for sort",
          },
        },
      },
    },
  };
}

/** A record as the model sees it: its fields and id, not the bookkeeping columns. */
function visible(r: Record<string, unknown>): Record<string, unknown> {
  const { profile_id: _p, position: _o, ...rest } = r;
  return rest;
}

/** A `crud` call, checked: a CRUD operation, or a read (`get`, `list` with `where`). */
export interface CrudRequest extends Omit<CrudOperation, "action" | "restore"> {
  action: CrudOperation["action"] | "get";
  where?: Record<string, unknown>;
}

/**
 * Turn a `crud` call into a request, or explain what is wrong. The model
 * gives ids only of existing records; `restore` is never taken from it.
 */
export function toOperation(call: ToolCall): CrudRequest {
  if (call.name !== "crud") {
    throw new ValidationError("tool", undefined, `there is no tool called "${call.name}"`);
  }
  const a = args(call);
  if (typeof a.app !== "string" || typeof a.action !== "string") {
    throw new ValidationError("tool", undefined, "it needs an app and an action");
  }
  if (!(CRUD_ACTIONS as readonly string[]).includes(a.action)) {
    throw new ValidationError(
      "tool",
      "action",
      `"${a.action}" is not an operation (${CRUD_ACTIONS.join(", ")})`,
    );
  }
  const op: CrudRequest = { app: a.app, action: a.action as CrudRequest["action"] };
  const id = wholeNumber(a.id, "id");
  if (id !== undefined) op.id = id;
  const values = record(a.values);
  if (values) op.values = values;
  const where = record(a.where);
  if (where) op.where = where;
  if (a.order !== undefined) {
    if (!Array.isArray(a.order) || !a.order.every((n) => Number.isSafeInteger(n))) {
      throw new ValidationError("tool", "order", "order must be a list of whole numbers");
    }
    op.order = a.order as number[];
  }
  return op;
}

export function runCrud(services: Services, call: ToolCall): ToolOutcome {
  const op = toOperation(call);
  const app = services.crud.assistantApps().find((a) => a.slug === op.app);
  if (!app) {
    // The same refusal whether the app does not exist or is kept from the assistant.
    const known = services.crud.assistantApps().map((a) => a.slug).join(", ") || "none";
    throw new ValidationError(
      "crud",
      "app",
      `There is no app called "${op.app}" (apps: ${known}).`,
    );
  }
  // One record of the current profile; another profile's answers like a missing one.
  const one = (id: number | undefined) => {
    try {
      if (id === undefined) throw new NotFoundError(op.app, id);
      return services.crud.get(op.app).get(id);
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      throw new NotFoundError(op.app, id, `${app.title}: there is no record #${id}.`);
    }
  };
  if (op.action === "get") {
    return {
      summary: `Read ${app.title.toLowerCase()} #${op.id}.`,
      result: bounded(visible(one(op.id))),
      wrote: false,
    };
  }
  if (op.action === "list") {
    const { records = [] } = services.crud.execute({ app: op.app, action: "list" }, "llm");
    const where = Object.entries(op.where ?? {});
    const found = records.filter((r) => where.every(([field, value]) => r[field] === value));
    return {
      summary: `Listed ${found.length} of ${app.title.toLowerCase()}${
        where.length ? " (filtered)" : ""
      }.`,
      result: bounded(found.map(visible)),
      wrote: false,
    };
  }
  if (op.action === "delete") {
    if (op.id === undefined) throw new ValidationError(op.app, "id", "delete needs an id");
    // Look the record up now so a proposal is never made for something that is not there.
    const target = one(op.id);
    const title = Object.values(visible(target)).find((v) => typeof v === "string") ?? op.id;
    return {
      summary: `Proposed deleting ${app.title.toLowerCase()} “${
        String(title).slice(0, 80)
      }” (#${op.id}).`,
      result: bounded({
        proposed: true,
        note: "The person must click Apply; nothing is deleted yet.",
      }),
      proposal: { app: op.app, action: "delete", id: op.id },
      wrote: false,
    };
  }
  const { where: _w, action, ...rest } = op;
  const outcome = services.crud.execute(
    { ...rest, action: action as CrudOperation["action"] },
    "llm",
  );
  return {
    summary: outcome.message,
    result: bounded({ done: outcome.message, record: outcome.record && visible(outcome.record) }),
    undo: outcome.undo,
    wrote: true,
  };
}
