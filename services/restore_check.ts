/**
 * @module
 * Whether a sound SQLite file is a Cardflow database these plugins can open:
 * the rule a restore candidate must pass before it replaces anything. It is
 * deliberately a shape check, not a dry run: everything the build does on
 * top of it (a CRUD table that cannot follow its definition, runs in an
 * unknown format) is caught by actually building on the restored copy, and
 * undone by putting the previous database back (`app/runtime.ts`).
 *
 * The rule:
 * - it has the `store` table with `key` and `value` columns (every Cardflow
 *   database since 0.1 has one; nothing else does by accident);
 * - every table Cardflow keeps that it has (`store`, `pipeline`, `chat`, and
 *   each CRUD app's table) is a table, not a view, with its key column;
 * - tables Cardflow does not know (an app since removed) are kept as they are.
 */

import type { DatabaseSync } from "node:sqlite";
import { tableOf } from "../pipeline/crud/define.ts";
import { type LoadedPlugin, pluginsOf } from "../pipeline/plugin.ts";

/** The key column of each table Cardflow keeps outside the CRUD apps. */
const BUILT_IN: Record<string, string> = { store: "key", pipeline: "key", chat: "id" };

/** A check for `inspectCandidate`/`swapIn`: a problem in plain words, or undefined. */
export function restoreCheck(
  plugins: readonly LoadedPlugin[],
): (db: DatabaseSync) => string | undefined {
  const keys = new Map(Object.entries(BUILT_IN));
  for (const plugin of pluginsOf(plugins, "crud")) {
    keys.set(tableOf(plugin.slug, plugin.definition), "id");
  }
  return function cardflowSchema(db) {
    const objects = new Map(
      (db.prepare(
        "SELECT name, type FROM sqlite_schema WHERE type IN ('table', 'view') " +
          "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
      ).all() as { name: string; type: string }[]).map((o) => [o.name, o.type]),
    );
    const columns = (table: string) =>
      new Set(
        (db.prepare("SELECT name FROM pragma_table_info(?)").all(table) as { name: string }[])
          .map((c) => c.name),
      );
    const store = columns("store");
    if (objects.get("store") !== "table" || !store.has("key") || !store.has("value")) {
      const names = [...objects.keys()].sort();
      return "it is not a Cardflow database (it has no store table" +
        (names.length ? `; its tables are ${list(names)})` : "; it has no tables)");
    }
    for (const [table, key] of keys) {
      const type = objects.get(table);
      if (type === undefined) continue;
      if (type !== "table") return `its ${table} is a ${type}, where Cardflow keeps a table`;
      if (!columns(table).has(key)) {
        return `its ${table} table has no ${key} column, so it is not the one Cardflow keeps`;
      }
    }
    return undefined;
  };
}

function list(names: string[]): string {
  const shown = names.slice(0, 5).join(", ");
  return names.length > 5 ? `${shown} and ${names.length - 5} more` : shown;
}
