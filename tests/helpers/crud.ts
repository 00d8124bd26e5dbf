/**
 * @module
 * A throwaway CRUD app for tests of one set of fields (queries, imports,
 * definition checks) without a plugin file.
 */

import { type CrudDefinition, type CrudField, defineCrud } from "@/pipeline/crud/define.ts";

/** A CRUD app called "things" with `fields` and nothing else. */
export function defineThings(fields: CrudField[]): CrudDefinition {
  return defineCrud({ name: "things", title: "Things", description: "", fields });
}
