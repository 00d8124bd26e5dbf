/**
 * @module
 * Ollama model names. `ollama pull llama3.2` stores `llama3.2:latest`, and
 * Ollama accepts either spelling (the tag defaults to `latest`, the registry
 * to `registry.ollama.ai/library/`, and letter case does not matter), so
 * Cardflow compares names the way Ollama resolves them.
 */

const DEFAULT_HOST = /^(?:https?:\/\/)?registry\.ollama\.ai\//i;
const DEFAULT_NAMESPACE = /^library\//i;

/**
 * A model name in Ollama's short form with its tag: the default registry and
 * namespace dropped, `:latest` added when there is no tag.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { normalizeModel } from "@/lib/llm_names.ts";
 * assert.equal(normalizeModel("llama3.2"), "llama3.2:latest");
 * assert.equal(normalizeModel("registry.ollama.ai/library/gemma:2b"), "gemma:2b");
 * ```
 */
export function normalizeModel(name: string): string {
  const short = name.trim().replace(DEFAULT_HOST, "").replace(DEFAULT_NAMESPACE, "");
  if (short === "") return short;
  const last = short.slice(short.lastIndexOf("/") + 1);
  return last.includes(":") || last.includes("@") ? short : `${short}:latest`;
}

/**
 * Whether two names mean the same Ollama model.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sameModel } from "@/lib/llm_names.ts";
 * assert.ok(sameModel("llama3.2", "llama3.2:latest"));
 * assert.ok(!sameModel("llama3.2", "llama3.2:1b"));
 * ```
 */
export function sameModel(a: string, b: string): boolean {
  return normalizeModel(a).toLowerCase() === normalizeModel(b).toLowerCase();
}
