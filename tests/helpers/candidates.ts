/**
 * @module
 * Files a hostile tester offers for restore, for the page, `--restore` and
 * process tests alike: each is refused before anything changes, or makes the
 * start fail and is rolled back. `cardflowDatabase` builds a real one.
 */

import { DatabaseSync } from "node:sqlite";
import { testApp } from "./app.ts";

/** A real Cardflow database file at `path` holding `marker` in its store and one task. */
export async function cardflowDatabase(path: string, marker: string): Promise<string> {
  const dataDir = await Deno.makeTempDir({ prefix: "cardflow-candidate-" });
  const app = testApp({ config: { dataDir } });
  try {
    app.runtime.services().store.set("marker", marker);
    const res = await app.post("/tasks", { name: `task of ${marker}` });
    if (res.status !== 200) throw new Error(`could not add a task: ${res.status}`);
    await res.body?.cancel();
  } finally {
    await app.close();
  }
  Deno.copyFileSync(`${dataDir}/cardflow-dev.db`, path);
  await Deno.remove(dataDir, { recursive: true });
  return path;
}

/** A restore candidate and what Cardflow must say about it. */
export interface Candidate {
  name: string;
  /** Write the file at `path`. */
  make(path: string): Promise<void>;
  /** The refusal, as the page and `--restore` say it. */
  problem: RegExp;
  /** Refused only after it was swapped in and the start on it failed (rolled back). */
  rolledBack?: boolean;
}

/** Every kind of bad file the issue lists. */
export const BAD_CANDIDATES: Candidate[] = [
  {
    name: "a database with a foreign schema",
    async make(path) {
      const db = new DatabaseSync(path);
      db.exec("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)");
      db.exec("INSERT INTO invoices VALUES (1, 9.5)");
      db.close();
      await Promise.resolve();
    },
    problem: /it is not a Cardflow database \(it has no store table; its tables are invoices\)/,
  },
  {
    name: "an empty file",
    make: (path) => Deno.writeFile(path, new Uint8Array()),
    problem: /the file is empty \(0 bytes\)/,
  },
  {
    name: "a file that is not SQLite",
    make: (path) => Deno.writeTextFile(path, "name,done\nmilk,0\n".repeat(100)),
    problem: /the file is not a SQLite database/,
  },
  {
    name: "a corrupt database",
    async make(path) {
      await cardflowDatabase(path, "corrupt");
      const bytes = await Deno.readFile(path);
      // Every page after the first: the header still says SQLite, the b-trees are garbage.
      for (let i = 4096; i < bytes.length; i++) bytes[i] = (i * 7) & 0xff;
      await Deno.writeFile(path, bytes);
    },
    problem: /the database is damaged/,
  },
  {
    name: "a truncated database",
    async make(path) {
      await cardflowDatabase(path, "truncated");
      const bytes = await Deno.readFile(path);
      await Deno.writeFile(path, bytes.subarray(0, bytes.length - 4096 - 100));
    },
    problem: /the database is damaged: the file is cut short/,
  },
  {
    name: "a Cardflow database the current plugins cannot start on",
    async make(path) {
      await cardflowDatabase(path, "retyped");
      const db = new DatabaseSync(path);
      // Its tasks' "done" was stored as text: the Tasks definition says bool, a retype.
      db.prepare("UPDATE store SET value = ? WHERE key = 'schema.tasks'")
        .run(JSON.stringify({ name: "text", done: "text" }));
      db.close();
    },
    problem:
      /Cardflow could not start on .*: plugins\/060_tasks\.tsx: the field "done" was stored as a text.*The previous database is back in place/,
    rolledBack: true,
  },
];
