/**
 * @module
 * Workflow events as the chat's notes: one line each, "Hello · ada: submitted
 * “Your name”." (the hub folds a run's consecutive lines into one message).
 */

import { isKind, type LoadedPlugin } from "../pipeline/plugin.ts";
import type { PipelineEvent } from "../services/events.ts";

/** The note line for `event`, named with its workflow's title and step labels. */
export function noteLine(plugins: readonly LoadedPlugin[], event: PipelineEvent): string {
  const plugin = plugins.find((p) => p.slug === event.workflow);
  const steps = plugin && isKind(plugin, "workflow") ? plugin.definition.steps : [];
  const step = steps.find((s) => s.id === event.step)?.label ?? event.step;
  const what = {
    start: "started",
    submit: `submitted “${step}”`,
    revert: `went back to “${step}”`,
    finalize: "finalized the run",
    unfinalize: "unlocked the run",
    delete: "deleted the run",
    "job-done": `finished the work of “${step}”`,
    "job-failed": `the work of “${step}” failed`,
    restore: "put the run back as it was",
  }[event.operation];
  return `${plugin?.definition.title ?? event.workflow} · ${event.key}: ${what}.`;
}
