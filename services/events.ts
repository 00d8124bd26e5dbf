/**
 * @module
 * The services' vocabulary for the rest of Cardflow: the events they emit on
 * the bus, and the CRUD operations buttons and the assistant ask for.
 */

import type { FieldValue } from "../pipeline/workflow/define.ts";
import type { RunState } from "../pipeline/workflow/state.ts";

/** The two databases a user switches between in the nav bar. */
export type Environment = "development" | "production";

/** Where a change came from. */
export type Source = "ui" | "llm";

/** Events on the in-process bus; emitting never blocks the emitter (see `lib/bus.ts`). */
export interface ServiceEvents {
  /** A workflow transition (workflow service → chat notes and commentary). */
  pipeline: PipelineEvent;
  /** A change to a CRUD app's records (CRUD service → chat, logs). */
  crud: CrudEvent;
}

/** What a workflow transition tells the rest of the app. */
export interface PipelineEvent {
  workflow: string;
  key: string;
  operation:
    | "start"
    | "submit"
    | "revert"
    | "finalize"
    | "unfinalize"
    | "delete"
    | "job-done"
    | "job-failed"
    | "restore";
  step?: string;
  values?: Record<string, FieldValue>;
  /** Who asked: a person's page, or the assistant (whose own entries already say it). */
  source?: Source;
}

/**
 * The operations a CRUD app offers. The assistant may use list, insert,
 * update, delete, toggle and sort; reorder, transfer and batch are the
 * page's (and the undo's).
 */
export type CrudAction =
  | "list"
  | "insert"
  | "update"
  | "delete"
  | "toggle"
  | "sort"
  | "reorder"
  | "transfer"
  | "batch";

/** One CRUD operation, as a button or the LLM asks for it. */
export interface CrudOperation {
  /** The app's slug, e.g. "tasks". */
  app: string;
  action: CrudAction;
  /** The record, for update, delete and toggle. */
  id?: number;
  /** Field values, for insert and update. */
  values?: Record<string, unknown>;
  /** Every record id in the new order, for sort; some of them, for reorder. */
  order?: number[];
  /** The records a transfer moves. */
  ids?: number[];
  /** The profile a transfer moves them to. */
  profile?: number;
  /** Only in an undo of a transfer: the profile the records are in, and their old places. */
  from?: number;
  positions?: number[];
  /** For batch: operations on the same app, run in one transaction with one undo. */
  ops?: CrudOperation[];
  /**
   * Only in an undo of a delete: the deleted record's id and place, so it
   * comes back where it was. Never taken from the assistant.
   */
  restore?: { id: number; position?: number };
}

/**
 * A change to a workflow run the assistant made or undoes: `restore` puts a
 * run back to `state` (or deletes it when `state` is null) if it is still at
 * `version`; `finalize` locks a run at `version` (proposed, then applied).
 */
export interface WorkflowOperation {
  workflow: string;
  action: "restore" | "finalize";
  key: string;
  version: number;
  state?: RunState | null;
}

/** Anything the assistant's changes are undone or applied with. */
export type Operation = CrudOperation | WorkflowOperation;

/** Whether `operation` is a workflow operation. */
export function isWorkflowOperation(operation: Operation): operation is WorkflowOperation {
  return "workflow" in operation;
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

/** A change to a CRUD app's records (a batch is one event, with how many records it changed). */
export interface CrudEvent {
  app: string;
  action: Exclude<CrudAction, "list">;
  id?: number;
  count?: number;
  before?: Record<string, unknown>;
  after?: Record<string, unknown>;
  source: Source;
}

/** A CRUD app as the LLM's system prompt describes it. */
export interface CrudAppInfo {
  slug: string;
  title: string;
  description: string;
  fields: {
    name: string;
    type: string;
    required: boolean;
    description?: string;
    /** For select fields: the values to choose from. */
    options?: string[];
  }[];
  /** The boolean field `toggle` flips, if any. */
  toggle?: string;
  /** Whether records belong to the current profile. */
  scoped: boolean;
  llm?: string;
}
