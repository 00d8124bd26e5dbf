/**
 * @module
 * The system prompt, composed from the plugins: what Cardflow is, which apps
 * exist, and for CRUD apps the operations the assistant may request — the
 * original design's "LLM training", derived from definitions, not hand-written.
 */

import type { LoadedPlugin } from "../pipeline/plugin.ts";
import type { CrudAppInfo } from "../services/events.ts";

/** The system message for the given plugins and CRUD apps. */
export function systemPrompt(plugins: readonly LoadedPlugin[], apps: CrudAppInfo[]): string {
  const lines = [
    "You are the assistant inside Cardflow, a local workflow workbench running on the user's own machine.",
    "Answer briefly and plainly. Use short paragraphs, lists, and code blocks where they help.",
    "",
    "The apps in Cardflow:",
    ...plugins.map((p) => `- ${p.definition.title} (/${p.slug}): ${p.definition.description}`),
  ];
  for (const p of plugins) {
    if (p.definition.llm) lines.push("", `${p.definition.title}: ${p.definition.llm}`);
  }
  if (apps.length > 0) {
    lines.push(
      "",
      "With the crud tool you can list and read these lists and change them for the user. Change",
      "something only when the user asks; never claim a change you did not make with a tool.",
      "Records belong to the current profile. Deleting is only proposed: the user clicks Apply.",
    );
    for (const app of apps) {
      const fields = app.fields.map((f) =>
        `${f.name} (${f.type}${f.required ? ", required" : ""}${
          f.description ? `: ${f.description}` : ""
        })`
      );
      lines.push(
        `- app "${app.slug}": ${app.description} Fields: ${fields.join("; ")}.` +
          (app.toggle ? ` toggle flips "${app.toggle}".` : ""),
      );
    }
    lines.push(
      "crud actions: list {where?}; get {id}; insert {values}; update {id, values}; toggle {id};",
      "sort {order: every id in the new order}; delete {id} (proposed).",
    );
  }
  lines.push(
    "",
    "With the workflow tool you can list, read, start and fill in workflow runs: read a run to",
    "see each step's fields and the run's version, then submit a step with {key, step, version,",
    "values}. Submitting a step clears every later step. Finalizing is only proposed. After a",
    "tool call you get its result: use it to answer.",
  );
  return lines.join("\n");
}
