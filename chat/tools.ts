/**
 * @module
 * The tools the assistant may call, and running one call through the
 * services with the same validation, versions and undo as the buttons.
 * `crud` lists, reads and changes records of the CRUD apps the assistant may
 * use; `workflow` lists, reads, starts and fills in runs. Deleting a record
 * and finalizing a run are only proposed: they run when the person clicks
 * Apply. The model never chooses record ids for new records, nor positions.
 */

import { ConflictError, NotFoundError, ValidationError } from "../lib/errors.ts";
import type { ToolCall, ToolSpec } from "../lib/llm.ts";
import { fieldsOf, isRequiredField, type StepSpec } from "../pipeline/workflow/define.ts";
import { StateError } from "../pipeline/workflow/machine.ts";
import {
  type CrudAppInfo,
  type CrudOperation,
  isWorkflowOperation,
  type Operation,
  type Source,
  type WorkflowOperation,
} from "../services/events.ts";
import type { Services } from "../services/mod.ts";
import { runStatus, type WorkflowService } from "../services/workflows/service.ts";
import type { Run } from "../services/workflows/runs.ts";

/** What a tool call did, for the panel and for the model. */
export interface ToolOutcome {
  /** One line for the panel: "Added task “Buy milk” (#4)." */
  summary: string;
  /** What goes back to the model (JSON text, bounded). */
  result: string;
  /** It changed something: how to undo it. */
  undo?: Operation;
  /** It would change something the person must confirm: the operation Apply runs. */
  proposal?: Operation;
  /** It was refused: nothing changed. */
  refused?: boolean;
  /** It changed data (counts against the answer's write budget). */
  wrote: boolean;
}

/** The most a tool result may send back to the model. */
export const MAX_RESULT_CHARS = 4000;

const CRUD_ACTIONS = ["list", "get", "insert", "update", "toggle", "sort", "delete"] as const;
const WORKFLOW_ACTIONS = ["list", "read", "start", "submit", "revert", "finalize"] as const;

/** The tools offered for `services`' apps and workflows. */
export function toolSpecs(apps: CrudAppInfo[], workflows: readonly WorkflowService[]): ToolSpec[] {
  const specs: ToolSpec[] = [];
  if (apps.length) {
    specs.push({
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
    });
  }
  if (workflows.length) {
    specs.push({
      type: "function",
      function: {
        name: "workflow",
        description: "List, read, start and fill in runs of Cardflow's step-by-step workflows. " +
          "Read a run first: it tells each step's fields and the run's version, which submit " +
          "needs. Revert opens a done step again and answers its values; submitting it then " +
          "replaces them and clears every later step. Finalizing is only proposed.",
        parameters: {
          type: "object",
          required: ["workflow", "action"],
          properties: {
            workflow: { type: "string", enum: workflows.map((w) => w.slug) },
            action: { type: "string", enum: [...WORKFLOW_ACTIONS] },
            key: { type: "string", description: "the run's key (start makes one up if omitted)" },
            step: { type: "string", description: "the step id, for submit and revert" },
            version: { type: "integer", description: "the run's version from read, for submit" },
            values: { type: "object", description: "the step's field values, for submit" },
          },
        },
      },
    });
  }
  return specs;
}

function bounded(value: unknown): string {
  const text = JSON.stringify(value) ?? "null";
  return text.length > MAX_RESULT_CHARS
    ? text.slice(0, MAX_RESULT_CHARS) + "… (cut: ask for less)"
    : text;
}

function args(call: ToolCall): Record<string, unknown> {
  let value = call.arguments;
  if (typeof value === "string") {
    try {
      value = JSON.parse(value);
    } catch {
      throw new ValidationError("tool", undefined, "its arguments were not valid JSON");
    }
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) {
    throw new ValidationError("tool", undefined, "its arguments were not an object");
  }
  return value as Record<string, unknown>;
}

function record(value: unknown): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  if (!value || typeof value !== "object" || Array.isArray(value)) {
    throw new ValidationError("tool", "values", "values must be an object of fields");
  }
  return value as Record<string, unknown>;
}

function wholeNumber(value: unknown, what: string): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isSafeInteger(value)) {
    throw new ValidationError("tool", what, `${what} must be a whole number`);
  }
  return value as number;
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

function runCrud(services: Services, call: ToolCall): ToolOutcome {
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
  if (op.action === "list" || op.action === "get") {
    const { records = [] } = services.crud.execute({ app: op.app, action: "list" }, "llm");
    const where = Object.entries(op.where ?? {});
    const found = records.filter((r) =>
      (op.action === "get" ? r.id === op.id : true) &&
      where.every(([field, value]) => r[field] === value)
    );
    if (op.action === "get" && found.length === 0) {
      throw new NotFoundError(op.app, op.id, `${app.title}: there is no record #${op.id}.`);
    }
    return {
      summary: op.action === "get"
        ? `Read ${app.title.toLowerCase()} #${op.id}.`
        : `Listed ${found.length} of ${app.title.toLowerCase()}${
          where.length ? " (filtered)" : ""
        }.`,
      result: bounded(op.action === "get" ? visible(found[0]!) : found.map(visible)),
      wrote: false,
    };
  }
  if (op.action === "delete") {
    if (op.id === undefined) throw new ValidationError(op.app, "id", "delete needs an id");
    // Look the record up now so a proposal is never made for something that is not there.
    const { records = [] } = services.crud.execute({ app: op.app, action: "list" }, "llm");
    const target = records.find((r) => r.id === op.id);
    if (!target) {
      throw new NotFoundError(op.app, op.id, `${app.title}: there is no record #${op.id}.`);
    }
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

/** A run as the model sees it: each step, its fields, its values, and the run's version. */
function describeRun(workflow: WorkflowService, run: Run): Record<string, unknown> {
  const { definition } = workflow;
  return {
    workflow: workflow.slug,
    key: run.key,
    version: run.version,
    status: runStatus(definition, run),
    finalized: run.state.finalized,
    steps: definition.steps.map((step) => describeStep(run, step)),
  };
}

/** One step of a run as the model sees it: its fields and, when done, its values. */
function describeStep(run: Run, step: StepSpec): Record<string, unknown> {
  return {
    id: step.id,
    label: step.label,
    done: step.id in run.state.steps && !(run.state.jobs[step.id]?.status === "running"),
    values: run.state.steps[step.id],
    fields: fieldsOf(step).map((f) => ({
      name: f.name,
      kind: f.kind,
      required: isRequiredField(f),
      ...(f.options ? { options: f.options } : {}),
    })),
  };
}

function text(value: unknown, what: string): string {
  if (typeof value !== "string" || value.trim() === "") {
    throw new ValidationError("tool", what, `${what} is needed`);
  }
  return value.trim();
}

/**
 * The run `key` of `workflow` if it belongs to the current profile (or to
 * none): another profile's run answers like a missing one.
 */
function ownRun(services: Services, workflow: WorkflowService, key: string): Run {
  const run = workflow.load(key);
  const profile = services.profiles.current().id;
  if (run.profile_id !== null && run.profile_id !== profile) {
    throw new NotFoundError(
      "pipeline",
      key,
      `There is no ${workflow.definition.title} run with the key "${key}".`,
    );
  }
  return run;
}

async function runWorkflow(
  services: Services,
  call: ToolCall,
  source: Source,
): Promise<ToolOutcome> {
  const a = args(call);
  const slug = text(a.workflow, "workflow");
  const workflow = services.workflows.find(slug);
  if (!workflow) {
    const known = services.workflows.all().map((w) => w.slug).join(", ");
    throw new NotFoundError("workflows", slug, `There is no workflow "${slug}" (${known}).`);
  }
  const title = workflow.definition.title;
  switch (a.action) {
    case "list": {
      const runs = workflow.summaries(20);
      return {
        summary: `Listed ${runs.length} ${title} runs.`,
        result: bounded(runs),
        wrote: false,
      };
    }
    case "read": {
      const run = ownRun(services, workflow, text(a.key, "key"));
      return {
        summary: `Read the ${title} run ${run.key}.`,
        result: bounded(describeRun(workflow, run)),
        wrote: false,
      };
    }
    case "start": {
      const key = typeof a.key === "string" && a.key.trim() ? a.key.trim() : workflow.suggestKey();
      const { run, created } = workflow.start(key, source);
      if (
        !created && run.profile_id !== null && run.profile_id !== services.profiles.current().id
      ) {
        // Another profile's run: say only that the key is taken.
        throw new ValidationError(
          "tool",
          "key",
          `The key "${key}" is taken: leave the key out to get a new one.`,
        );
      }
      return {
        summary: created
          ? `Started the ${title} run ${run.key}.`
          : `Opened the ${title} run ${run.key}.`,
        result: bounded({ created, ...describeRun(workflow, run) }),
        ...(created
          ? {
            undo: {
              workflow: slug,
              action: "restore" as const,
              key: run.key,
              version: run.version,
              state: null,
            },
          }
          : {}),
        wrote: created,
      };
    }
    case "submit": {
      const key = text(a.key, "key");
      const stepId = text(a.step, "step");
      const version = wholeNumber(a.version, "version");
      if (version === undefined) {
        throw new ValidationError("tool", "version", "version is needed: read the run first");
      }
      const values = record(a.values) ?? {};
      // Values arrive as JSON: lists stay lists (a multiselect), the rest become form text.
      const input: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(values)) {
        input[name] = Array.isArray(value)
          ? value.map(String)
          : typeof value === "string"
          ? value
          : value === true
          ? "on"
          : value === false
          ? ""
          : JSON.stringify(value);
      }
      const before = ownRun(services, workflow, key);
      const result = await workflow.submit(key, stepId, version, input, source);
      if (!result.ok) {
        const why = [result.message, ...Object.values(result.errors)].filter(Boolean).join(" ");
        return {
          summary: `Could not submit “${result.step.label}” of ${key}: ${why}`,
          result: bounded({ refused: why, fields: result.errors }),
          refused: true,
          wrote: false,
        };
      }
      const label = workflow.definition.steps.find((s) => s.id === stepId)?.label ?? stepId;
      return {
        summary: `Submitted “${label}” of the ${title} run ${key}.`,
        result: bounded(describeRun(workflow, result.run)),
        undo: {
          workflow: slug,
          action: "restore",
          key,
          version: result.run.version,
          state: before.state,
        },
        wrote: true,
      };
    }
    case "revert": {
      const key = text(a.key, "key");
      const stepId = text(a.step, "step");
      ownRun(services, workflow, key);
      // As the button: reopening a step writes nothing; submitting it again does.
      const run = workflow.checkRevert(key, stepId);
      const step = workflow.definition.steps.find((s) => s.id === stepId)!;
      return {
        summary: `Opened “${step.label}” of the ${title} run ${key} again.`,
        result: bounded({
          reopened: describeStep(run, step),
          version: run.version,
          note: "Nothing changed yet. Submit this step with new values to replace them; " +
            "that clears every later step.",
        }),
        wrote: false,
      };
    }
    case "finalize": {
      const run = ownRun(services, workflow, text(a.key, "key"));
      return {
        summary: `Proposed finalizing the ${title} run ${run.key}.`,
        result: bounded({
          proposed: true,
          note: "The person must click Apply; nothing is locked yet.",
        }),
        proposal: { workflow: slug, action: "finalize", key: run.key, version: run.version },
        wrote: false,
      };
    }
    default:
      throw new ValidationError(
        "tool",
        "action",
        `"${String(a.action)}" is not a workflow action (${WORKFLOW_ACTIONS.join(", ")})`,
      );
  }
}

/** Whether `error` is a refusal the model should hear about (not a fault of Cardflow's). */
export function isRefusal(error: unknown): boolean {
  return error instanceof ValidationError || error instanceof NotFoundError ||
    error instanceof ConflictError || error instanceof StateError;
}

/** Run one tool call; refusals come back as outcomes, anything else is thrown. */
export async function runTool(
  services: Services,
  call: ToolCall,
  source: Source = "llm",
): Promise<ToolOutcome> {
  try {
    if (call.name === "workflow") return await runWorkflow(services, call, source);
    return runCrud(services, call);
  } catch (error) {
    if (!isRefusal(error)) throw error;
    const message = (error as Error).message;
    return {
      summary: `Refused: ${message} Nothing was changed.`,
      result: bounded({ refused: message }),
      refused: true,
      wrote: false,
    };
  }
}

/**
 * The undo of several operations at once: newest first, and one restore per
 * run (its state before the first change, at its version after the last).
 */
export function combineUndo(operations: readonly Operation[]): Operation[] {
  const out: Operation[] = [];
  const runs = new Map<string, WorkflowOperation>();
  for (const op of [...operations].reverse()) {
    if (!isWorkflowOperation(op) || op.action !== "restore") {
      out.push(op);
      continue;
    }
    const id = `${op.workflow}/${op.key}`;
    const newest = runs.get(id);
    if (newest) {
      // An older change of the same run: its state is the one to go back to.
      newest.state = op.state;
      continue;
    }
    const merged = { ...op };
    runs.set(id, merged);
    out.push(merged);
  }
  return out;
}
