/**
 * @module
 * Fill a stopped Cardflow's development database with many runs and tasks,
 * straight through SQLite (the bench's "100,000 runs, 10,000 tasks").
 */

import { DatabaseSync } from "node:sqlite";

/** Add `runs` Hello runs and `tasks` tasks (of the first profile) to the database in `dataDir`. */
export function populate(dataDir: string, runs: number, tasks: number): void {
  const db = new DatabaseSync(`${dataDir}/cardflow-dev.db`);
  const now = new Date().toISOString();
  const state = JSON.stringify({
    format: 2,
    steps: { step_01: { name: "Ada" } },
    jobs: {},
    created: now,
    updated: now,
    finalized: false,
  });
  db.exec("BEGIN");
  const run = db.prepare(
    "INSERT INTO pipeline (key, workflow, state, created, updated, version, format, running) VALUES (?, 'hello', ?, ?, ?, 2, 2, 0)",
  );
  for (let i = 0; i < runs; i++) run.run(`bulk-${i}`, state, now, now);
  const task = db.prepare(
    "INSERT INTO tasks (name, done, priority, tags, position, profile_id) VALUES (?, 0, ?, ?, ?, 1)",
  );
  for (let i = 0; i < tasks; i++) {
    const word = (n: number) => WORDS[(i * n + 7) % WORDS.length]!;
    task.run(
      `task ${i} ${word(3)} ${word(7)} ${word(11)}`,
      ["low", "normal", "high"][i % 3]!,
      JSON.stringify([word(5), word(13)]),
      i + 1000,
    );
  }
  db.exec("COMMIT");
  db.close();
}

/** Words the benchmark's 10,000 tasks are made of, so searches match realistic numbers of rows. */
const WORDS = (
  "buy milk call ada write report walk dog read book plan trip fix bike pay rent email bob " +
  "review draft water plants clean kitchen book flight renew passport order parts sketch engine " +
  "test build ship release backup photos sort mail cook dinner meet team"
).split(" ");
