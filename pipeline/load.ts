/**
 * @module
 * Plugin discovery: every `plugins/NNN_name.tsx` listed in the generated
 * manifest becomes a {@linkcode LoadedPlugin}. A broken plugin stops start-up
 * with its file name and what is wrong, never a half-working app.
 */

import { PluginError } from "./base.ts";
import { checkDefinition, KINDS, type LoadedPlugin, type PluginDefinition } from "./plugin.ts";

/** A plugin module as listed in `plugins/manifest.gen.ts`. */
export interface PluginEntry {
  file: string;
  module: Record<string, unknown>;
}

const FILE_NAME = /^(\d{1,4})_([a-z][a-z0-9_-]*)\.tsx?$/;

/** Whether discovery skips `file` (drafts start with `_` or `xx_`). */
export function isSkipped(file: string): boolean {
  return file.startsWith("_") || file.startsWith("xx_") || file.startsWith("manifest.gen.");
}

/** Parse `060_tasks.tsx` into its order and slug, or undefined. */
export function parsePluginFile(file: string): { order: number; slug: string } | undefined {
  const match = FILE_NAME.exec(file);
  if (!match) return undefined;
  return { order: Number(match[1]), slug: match[2]!.replaceAll("_", "-") };
}

function isDefinition(value: unknown): value is PluginDefinition {
  const kind = (value as { kind?: unknown } | null)?.kind;
  return KINDS.some((known) => known === kind);
}

/** Validate and load the manifest's plugins; `reserved` slugs belong to built-in pages. */
export function loadPlugins(
  entries: readonly PluginEntry[],
  options: { reserved?: readonly string[] } = {},
): LoadedPlugin[] {
  const loaded: LoadedPlugin[] = [];
  const bySlug = new Map<string, string>();
  for (const entry of entries) {
    if (isSkipped(entry.file)) continue;
    const fail = (problem: string): never => {
      throw new PluginError(`plugins/${entry.file}: ${problem}`);
    };
    const parsed = parsePluginFile(entry.file) ??
      fail(
        "the file name must look like 060_name.tsx (a number, an underscore, a lower-case name)",
      );
    const exported = entry.module.default;
    if (!exported || typeof exported !== "object") {
      fail("no default export; export default defineWorkflow({...}) or defineCrud({...})");
    }
    if (!isDefinition(exported)) {
      return fail(
        `unknown kind "${String((exported as { kind?: unknown }).kind)}" (known: ${
          KINDS.join(", ")
        })`,
      );
    }
    const definition = exported;
    for (const field of ["name", "title", "description"] as const) {
      if (typeof definition[field] !== "string" || definition[field].trim() === "") {
        fail(`"${field}" must be a non-empty string`);
      }
    }
    if (definition.name !== parsed.slug) {
      fail(`its name "${definition.name}" does not match the file name's slug "${parsed.slug}"`);
    }
    if (options.reserved?.includes(parsed.slug)) {
      fail(`the slug "${parsed.slug}" is taken by a built-in page`);
    }
    const other = bySlug.get(parsed.slug);
    if (other) fail(`the slug "${parsed.slug}" is used by plugins/${other} too`);
    bySlug.set(parsed.slug, entry.file);
    for (const problem of checkDefinition(definition)) fail(problem);
    loaded.push({ slug: parsed.slug, order: parsed.order, file: entry.file, definition });
  }
  return loaded.sort((a, b) => a.order - b.order || a.slug.localeCompare(b.slug));
}
