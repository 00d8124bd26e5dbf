/**
 * @module
 * Changes to many records of one app at once — a bulk change of the
 * selected records, an import, "Restore defaults" — each built from the
 * single operations of `ops.ts` and run by the service's `perform` as one
 * transaction with one announcement and one undo.
 */

import { ValidationError } from "../../lib/errors.ts";
import type { CrudDefinition } from "../../pipeline/crud/define.ts";
import type { CrudOperation, CrudOutcome, Source } from "../events.ts";
import type { Record_ } from "./ops.ts";

/** A change to many records at once. */
export type BulkChange =
  | { kind: "set"; value: boolean }
  | { kind: "delete" }
  | { kind: "transfer"; profile: number };

/** What the changes to many need from their service. */
export interface ManyContext {
  slug: string;
  definition: CrudDefinition;
  /** Run operations as one transaction, announced once, answered with one undo. */
  perform(
    operations: CrudOperation[],
    source: Source,
    options: { batch: boolean; message?: string },
  ): CrudOutcome;
  get(id: number): Record_;
  list(): Record_[];
}

/** The changes to many records of one app. */
export function createMany(ctx: ManyContext) {
  const { slug, definition, perform, get, list } = ctx;
  const plural = (n: number) => `${n.toLocaleString("en")} record${n === 1 ? "" : "s"}`;
  const fields = new Map(definition.fields.map((f) => [f.name, f]));
  return {
    /** Change the records `ids` at once. */
    bulk(change: BulkChange, ids: number[], source: Source): CrudOutcome {
      const unique = [...new Set(ids)];
      if (unique.length === 0) {
        throw new ValidationError(slug, "ids", `${definition.title}: select some records first.`);
      }
      if (change.kind === "delete") {
        return perform(unique.map((id) => ({ app: slug, action: "delete", id })), source, {
          batch: true,
          message: `${definition.title}: deleted ${plural(unique.length)}.`,
        });
      }
      if (change.kind === "transfer") {
        return perform(
          [{ app: slug, action: "transfer", ids: unique, profile: change.profile }],
          source,
          { batch: true },
        );
      }
      const field = definition.toggle;
      if (!field) {
        throw new ValidationError(slug, undefined, `${definition.title} has nothing to toggle.`);
      }
      const records = unique.map(get);
      const changing = records.filter((r) => r[field] !== change.value);
      const label = fields.get(field)!.label ?? field;
      if (changing.length === 0) {
        return {
          message: `${definition.title}: all ${plural(unique.length)} were already ${
            change.value ? "" : "not "
          }${label}.`,
        };
      }
      return perform(
        changing.map((r) => ({
          app: slug,
          action: "update",
          id: r.id as number,
          values: { [field]: change.value },
        })),
        source,
        {
          batch: true,
          message: `${definition.title}: marked ${plural(changing.length)} as ${
            change.value ? "" : "not "
          }${label}.`,
        },
      );
    },
    /** Insert every one of `rows`, or none. */
    insertMany(rows: Record<string, unknown>[], source: Source): CrudOutcome {
      if (rows.length === 0) {
        throw new ValidationError(slug, undefined, `${definition.title}: nothing to import.`);
      }
      return perform(rows.map((values) => ({ app: slug, action: "insert", values })), source, {
        batch: true,
        message: `${definition.title}: imported ${plural(rows.length)}.`,
      });
    },
    /** Replace every record with the definition's `seed`. */
    restoreDefaults(source: Source): CrudOutcome {
      if (!definition.restorable || !definition.seed) {
        throw new ValidationError(slug, undefined, `${definition.title} has no defaults.`);
      }
      const operations: CrudOperation[] = [
        ...list().map((r): CrudOperation => ({ app: slug, action: "delete", id: r.id as number })),
        ...definition.seed.map((values): CrudOperation => ({
          app: slug,
          action: "insert",
          values,
        })),
      ];
      return perform(operations, source, {
        batch: true,
        message: `${definition.title}: restored the ${definition.seed.length} default records.`,
      });
    },
  };
}
