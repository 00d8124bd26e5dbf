/**
 * @module
 * The system prompt, composed from the plugins: what Cardflow is, which apps
 * exist, and for CRUD apps the operations the assistant may request — the
 * original design's "LLM training", derived from definitions, not hand-written.
 */

import type { LoadedPlugin } from "../pipeline/plugin.ts";
import type { CrudAppInfo } from "../services/events.ts";
import type { ToolSpec } from "../lib/llm.ts";

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
      "You can change these lists for the user with the crud tool. Call it only when the user asks for a change or a listing;",
      "never claim a change you did not make with the tool. Records belong to the current profile.",
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
      "Operations: list; insert {values}; update {id, values}; delete {id}; toggle {id}; sort {order: every id in the new order}.",
    );
  }
  return lines.join("\n");
}

/** The crud tool, offered to the model when CRUD apps exist. */
export function crudTool(apps: CrudAppInfo[]): ToolSpec {
  return {
    type: "function",
    function: {
      name: "crud",
      description:
        "List, add, change, delete, toggle or reorder records of one of Cardflow's apps.",
      parameters: {
        type: "object",
        required: ["app", "action"],
        properties: {
          app: { type: "string", enum: apps.map((a) => a.slug), description: "which app" },
          action: {
            type: "string",
            enum: ["list", "insert", "update", "delete", "toggle", "sort"],
          },
          id: { type: "integer", description: "the record, for update, delete and toggle" },
          values: { type: "object", description: "field values, for insert and update" },
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
