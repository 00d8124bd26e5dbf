/**
 * @module
 * Workflows that exist only in tests: one step with a field of every new
 * kind, and jobs that fetch, so the engine is tested beyond the shipped
 * plugins.
 */

import { defineWorkflow, type NetFetch, type WorkflowDefinition } from "@/pipeline/mod.ts";
import type { PluginEntry } from "@/pipeline/load.ts";
import { PLUGINS } from "@/plugins/manifest.gen.ts";

/** A step with every new kind, plus a step-level rule, then a plain step. */
export const FORMKIT: WorkflowDefinition = defineWorkflow({
  name: "formkit",
  title: "Form kit",
  description: "Every field kind in one step.",
  steps: [
    {
      id: "all",
      label: "Everything at once",
      refill: true,
      fields: [
        { name: "site", kind: "url", label: "Web address" },
        { name: "mail", kind: "email", label: "Email" },
        {
          name: "size",
          kind: "radio",
          label: "Size",
          options: [{ value: "s", label: "Small" }, { value: "m", label: "Medium" }, {
            value: "l",
            label: "Large",
          }],
        },
        {
          name: "tags",
          kind: "multiselect",
          label: "Tags",
          options: ["red", "green", "blue"],
          max: 2,
        },
        { name: "level", kind: "range", label: "Level", min: 0, max: 10, default: 5 },
        {
          name: "fruit",
          kind: "select",
          label: "Fruit",
          options: [
            { value: "apple", label: "Apple", group: "Pome" },
            { value: "pear", label: "Pear", group: "Pome" },
            { value: "cherry", label: "Cherry", group: "Drupe" },
          ],
        },
        {
          name: "docs",
          kind: "files",
          label: "Documents",
          maxBytes: 1024,
          maxFiles: 3,
          maxTotalBytes: 2048,
        },
        { name: "agree", kind: "checkbox", label: "I agree", required: true },
      ],
      validate: (values) =>
        values.size === "s" && Number(values.level) > 5
          ? { level: "A small one goes to 5 at most." }
          : undefined,
    },
    { id: "done", label: "Comment", field: { name: "comment", kind: "text", required: false } },
  ],
});

/** A workflow declaring `net`, whose job fetches the URL typed into its first step. */
export function fetcher(net: string[]): WorkflowDefinition {
  return defineWorkflow({
    name: "fetcher",
    title: "Fetcher",
    description: "Fetches one URL in a job.",
    net,
    steps: [
      {
        id: "go",
        label: "Fetch",
        field: { name: "url", kind: "url" },
        job: {
          async run(values, { fetch }: { fetch: NetFetch }) {
            const response = await fetch(String(values.url));
            return { status: response.status, body: response.text().slice(0, 100) };
          },
        },
      },
    ],
  });
}

/** Today's plugins plus `extra`, as test apps load them. */
export function withPlugins(...extra: [string, WorkflowDefinition][]): PluginEntry[] {
  return [
    ...PLUGINS,
    ...extra.map(([file, definition]) => ({ file, module: { default: definition } })),
  ];
}

/** Every file under `dir`, as paths relative to it (none when it does not exist). */
export function filesUnder(dir: string, prefix = ""): string[] {
  let entries: Deno.DirEntry[];
  try {
    entries = [...Deno.readDirSync(dir)];
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
  return entries.flatMap((e) =>
    e.isDirectory ? filesUnder(`${dir}/${e.name}`, `${prefix}${e.name}/`) : [`${prefix}${e.name}`]
  ).sort();
}
