/**
 * @module
 * The tools the assistant may call, and running one call through the
 * services with the same validation, versions and undo as the buttons:
 * `crud` (`crud_tool.ts`) for the CRUD apps, `workflow` (`workflow_tool.ts`)
 * for runs. Deleting a record and finalizing a run are only proposed: they
 * run when the person clicks Apply.
 */

import { ConflictError, NotFoundError, ValidationError } from "../lib/errors.ts";
import type { ToolCall, ToolSpec } from "../lib/llm.ts";
import { StateError } from "../pipeline/workflow/machine.ts";
import {
  type CrudAppInfo,
  isWorkflowOperation,
  type Operation,
  type Source,
  type WorkflowOperation,
} from "../services/events.ts";
import type { Services } from "../services/mod.ts";
import type { WorkflowService } from "../services/workflows/service.ts";
import { crudToolSpec, runCrud } from "./crud_tool.ts";
import { bounded, type ToolOutcome } from "./tool_args.ts";
import { runWorkflow, workflowToolSpec } from "./workflow_tool.ts";

export type { ToolOutcome } from "./tool_args.ts";

/** The tools offered for `services`' apps and workflows. */
export function toolSpecs(apps: CrudAppInfo[], workflows: readonly WorkflowService[]): ToolSpec[] {
  return [
    ...(apps.length ? [crudToolSpec(apps)] : []),
    ...(workflows.length ? [workflowToolSpec(workflows)] : []),
  ];
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
