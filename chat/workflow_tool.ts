/**
 * @module
 * The `workflow` tool: list, read, start, fill in, reopen and (by proposal)
 * finalize runs of the current profile, with the buttons' validation,
 * versions and undo.
 */

import { NotFoundError, ValidationError } from "../lib/errors.ts";
import type { ToolCall, ToolSpec } from "../lib/llm.ts";
import { fieldsOf, isRequiredField, type StepSpec } from "../pipeline/workflow/define.ts";
import type { Source } from "../services/events.ts";
import type { Services } from "../services/mod.ts";
import { runStatus, type WorkflowService } from "../services/workflows/service.ts";
import type { Run } from "../services/workflows/runs.ts";
import { args, bounded, record, text, type ToolOutcome, wholeNumber } from "./tool_args.ts";

const WORKFLOW_ACTIONS = ["list", "read", "start", "submit", "revert", "finalize"] as const;

/** The `workflow` tool's description for `workflows`. */
export function workflowToolSpec(workflows: readonly WorkflowService[]): ToolSpec {
  return {
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

export async function runWorkflow(
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
