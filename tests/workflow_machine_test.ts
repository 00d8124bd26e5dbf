import assert from "node:assert/strict";
import fc from "fast-check";
import { openDatabase } from "@/lib/db.ts";
import { NotFoundError } from "@/lib/errors.ts";
import { defineWorkflow, fieldsOf, type WorkflowDefinition } from "@/pipeline/mod.ts";
import * as machine from "@/pipeline/workflow/machine.ts";
import { createRuns, suggestFreeKey } from "@/services/workflows/runs.ts";

/** A workflow of `steps` steps; step i has `fields[i]` fields (1 when omitted), the first named "v". */
function workflow(
  steps: number,
  refill: boolean[] = [],
  fields: number[] = [],
): WorkflowDefinition {
  return defineWorkflow({
    name: "w",
    title: "W",
    description: "d",
    steps: Array.from({ length: steps }, (_, i) => ({
      id: `s${i}`,
      label: `Step ${i}`,
      fields: Array.from({ length: fields[i] ?? 1 }, (_, j) => ({
        name: j === 0 ? "v" : `f${j}`,
        kind: (["text", "multiselect", "range"] as const)[j % 3]!,
        options: ["a", "b"],
      })),
      refill: refill[i] ?? false,
    })),
  });
}

/** Values for every field of step `index`: text, choices and a number. */
function valuesFor(def: WorkflowDefinition, index: number, value: string) {
  const out: Record<string, string | string[] | number> = {};
  for (const field of fieldsOf(def.steps[index]!)) {
    out[field.name] = field.kind === "multiselect"
      ? [value]
      : field.kind === "range"
      ? value.length
      : value;
  }
  return out;
}

const T0 = "2026-01-01T00:00:00.000Z";

Deno.test("submit stores the step and clears every later step, refill or not", () => {
  const def = workflow(3, [true, true, true]);
  let s = machine.initialState(T0);
  s = machine.submit(def, s, "s0", { v: "a" }, T0);
  s = machine.submit(def, s, "s1", { v: "b" }, T0);
  s = machine.submit(def, s, "s2", { v: "c" }, T0);
  const again = machine.submit(def, s, "s0", { v: "A" }, "2026-01-02T00:00:00.000Z");
  assert.deepEqual(again.steps.s0, { v: "A" });
  assert.equal("s1" in again.steps, false);
  assert.equal("s2" in again.steps, false);
  assert.equal(again.updated, "2026-01-02T00:00:00.000Z");
  assert.deepEqual(s.steps.s1, { v: "b" }, "the old state is not mutated");
});

Deno.test("display shows the past as cards, the first incomplete step as a form, and nothing after", () => {
  const def = workflow(4);
  let s = machine.initialState(T0);
  assert.deepEqual(machine.view(def, s), ["form", "hidden", "hidden", "hidden"]);
  s = machine.submit(def, s, "s0", { v: "a" }, T0);
  s = machine.submit(def, s, "s1", { v: "b" }, T0);
  assert.deepEqual(machine.view(def, s), ["done", "done", "form", "hidden"]);
  assert.equal(machine.nextStep(def, s), "s2");
  assert.deepEqual(
    machine.view(def, s, "s0"),
    ["form", "hidden", "hidden", "hidden"],
    "reverting shows that step's form",
  );
  assert.deepEqual(s.steps.s1, { v: "b" }, "reverting clears nothing");
});

Deno.test("jumping is only to a completed step or the first incomplete one", () => {
  const def = workflow(4);
  let s = machine.initialState(T0);
  s = machine.submit(def, s, "s0", { v: "a" }, T0);
  assert.deepEqual(machine.revert(def, s, "s0"), { editing: "s0" });
  assert.deepEqual(machine.revert(def, s, "s1"), { editing: "s1" });
  assert.throws(
    () => machine.revert(def, s, "s2"),
    (e: unknown) => e instanceof machine.StateError && e.problem === "unreachable",
  );
  assert.throws(() => machine.submit(def, s, "s3", { v: "x" }, T0), /cannot be reached yet/);
  assert.throws(
    () => machine.revert(def, s, "nope"),
    (e: unknown) => e instanceof NotFoundError && /no step "nope"/.test(e.message),
  );
});

Deno.test("finalize locks a complete run and unfinalize unlocks it with all data intact", () => {
  const def = workflow(2);
  let s = machine.initialState(T0);
  s = machine.submit(def, s, "s0", { v: "a" }, T0);
  assert.throws(() => machine.finalize(def, s, T0), /Finish every step/);
  s = machine.submit(def, s, "s1", { v: "b" }, T0);
  const locked = machine.finalize(def, s, T0);
  assert.equal(locked.finalized, true);
  assert.throws(() => machine.submit(def, locked, "s0", { v: "z" }, T0), /finalized/);
  assert.throws(() => machine.revert(def, locked, "s0"), /finalized/);
  assert.throws(() => machine.finalize(def, locked, T0), /already finalized/);
  assert.deepEqual(
    machine.view(def, locked, "s0"),
    ["done", "done"],
    "a finalized run shows every card read-only",
  );
  const open = machine.unfinalize(locked, T0);
  assert.equal(open.finalized, false);
  assert.deepEqual([open.steps.s0, open.steps.s1], [{ v: "a" }, { v: "b" }]);
  assert.throws(() => machine.unfinalize(open, T0), /not finalized/);
});

type Op =
  | { kind: "submit"; step: number; value: string }
  | { kind: "revert"; step: number }
  | { kind: "finalize" }
  | { kind: "unfinalize" };

const opArb = (steps: number): fc.Arbitrary<Op> =>
  fc.oneof(
    fc.record({
      kind: fc.constant("submit" as const),
      step: fc.nat({ max: steps - 1 }),
      value: fc.string({ maxLength: 5 }),
    }),
    fc.record({ kind: fc.constant("revert" as const), step: fc.nat({ max: steps - 1 }) }),
    fc.constant({ kind: "finalize" as const }),
    fc.constant({ kind: "unfinalize" as const }),
  );

const scenario = fc.integer({ min: 1, max: 6 }).chain((steps) =>
  fc.record({
    steps: fc.constant(steps),
    refill: fc.array(fc.boolean(), { minLength: steps, maxLength: steps }),
    fields: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: steps, maxLength: steps }),
    ops: fc.array(opArb(steps), { maxLength: 40 }),
  })
);

function apply(def: WorkflowDefinition, s: machine.RunState, op: Op): machine.RunState {
  const id = "step" in op ? def.steps[op.step]!.id : "";
  if (op.kind === "submit") {
    return machine.submit(def, s, id, valuesFor(def, op.step, op.value), T0);
  }
  if (op.kind === "revert") {
    machine.revert(def, s, id);
    return s;
  }
  if (op.kind === "finalize") return machine.finalize(def, s, T0);
  return machine.unfinalize(s, T0);
}

Deno.test("property: after every submit of step N later steps are absent and earlier ones unchanged; finalized runs never change", () => {
  fc.assert(
    fc.property(scenario, ({ steps, refill, fields, ops }) => {
      const def = workflow(steps, refill, fields);
      let state = machine.initialState(T0);
      for (const op of ops) {
        const before = structuredClone(state);
        let after: machine.RunState;
        try {
          after = apply(def, state, op);
        } catch (error) {
          assert.ok(error instanceof machine.StateError, String(error));
          assert.deepEqual(state, before, "a refused operation changes nothing");
          continue;
        }
        assert.deepEqual(state, before, "operations never mutate their input");
        if (before.finalized) {
          assert.ok(op.kind === "unfinalize", `${op.kind} succeeded on a finalized run`);
          assert.deepEqual(after.steps, before.steps);
        }
        if (op.kind === "submit") {
          def.steps.forEach((step, i) => {
            if (i < op.step) {
              assert.deepEqual(
                after.steps[step.id],
                before.steps[step.id],
                "earlier steps unchanged",
              );
            }
            if (i === op.step) {
              assert.deepEqual(after.steps[step.id], valuesFor(def, i, op.value));
              assert.equal(Object.keys(after.steps[step.id]!).length, fieldsOf(step).length);
            }
            if (i > op.step) {
              assert.equal(step.id in after.steps, false, "later steps cleared");
              assert.equal(step.id in after.jobs, false, "and their jobs");
            }
          });
          // The submitted step was reachable: every step before it was complete.
          for (let i = 0; i < op.step; i++) {
            assert.ok(def.steps[i]!.id in machine.completed(def, before));
          }
        }
        if (op.kind === "revert") assert.deepEqual(after, before, "revert changes no data");
        const completedIds = Object.keys(machine.completed(def, after));
        assert.deepEqual(
          completedIds,
          def.steps.slice(0, completedIds.length).map((s) => s.id),
          "completed steps are always a prefix",
        );
        state = after;
      }
    }),
    { numRuns: 300 },
  );
});

Deno.test("property: through the database, each write bumps the version and a stale version is refused", () => {
  fc.assert(
    fc.property(scenario, ({ steps, fields, ops }) => {
      const db = openDatabase(":memory:");
      const runs = createRuns(db);
      const def = workflow(steps, [], fields);
      runs.create("k", "w", machine.initialState(T0));
      for (const op of ops) {
        const before = runs.find("k")!;
        let ok = true;
        try {
          runs.update("k", before.version, (run) => apply(def, run.state, op));
        } catch (error) {
          assert.ok(error instanceof machine.StateError, String(error));
          ok = false;
        }
        const after = runs.find("k")!;
        if (!ok) assert.deepEqual(after, before, "a refused transition leaves the row as it was");
        else assert.equal(after.version, before.version + 1);
        assert.throws(
          () => runs.update("k", before.version - 1 || 999, (r) => r.state),
          /changed in another tab/,
        );
        assert.deepEqual(runs.find("k"), after, "a stale write changes nothing");
      }
      db.close();
    }),
    { numRuns: 100 },
  );
});

function jobWorkflow(): WorkflowDefinition {
  return defineWorkflow({
    name: "j",
    title: "J",
    description: "d",
    steps: [
      { id: "a", label: "A", field: { name: "v", kind: "text" } },
      { id: "b", label: "B", fields: [], job: { run: () => Promise.resolve({ out: 1 }) } },
      { id: "c", label: "C", field: { name: "v", kind: "text" } },
    ],
  });
}

Deno.test("a stopped job can be run again with its values; a running or finished one cannot", () => {
  const def = jobWorkflow();
  let s = machine.submit(def, machine.initialState(T0), "a", { v: "x" }, T0);
  s = machine.submit(def, s, "b", {}, T0, "job-1");
  assert.throws(
    () => machine.jobRetry(def, s, "b", "job-2", T0),
    (e: unknown) => e instanceof machine.StateError && e.problem === "not-stopped",
  );
  for (const status of ["failed", "interrupted", "cancelled"] as const) {
    const stopped = machine.jobStopped(s, "b", "job-1", status, "why", T0);
    assert.deepEqual(machine.view(def, stopped), ["done", "job", "hidden"]);
    const again = machine.jobRetry(def, stopped, "b", "job-2", T0);
    assert.equal(again.jobs.b!.status, "running");
    assert.equal(again.jobs.b!.id, "job-2");
    assert.throws(
      () => machine.jobProgress(again, "b", "job-1", { done: 1, total: 2 }),
      machine.SupersededError,
    );
  }
  const done = machine.jobDone(s, "b", "job-1", { out: 1 }, T0);
  assert.throws(() => machine.jobRetry(def, done, "b", "job-3", T0), /no stopped work/);
  assert.throws(
    () => machine.jobStopped(done, "b", "job-1", "cancelled", "late", T0),
    machine.SupersededError,
    "a cancel after the job finished changes nothing",
  );
});

Deno.test("clone copies the completed steps up to the chosen one and nothing after, unlocked", () => {
  const def = jobWorkflow();
  let s = machine.submit(def, machine.initialState(T0), "a", { v: "x" }, T0);
  s = machine.submit(def, s, "b", {}, T0, "job-1");
  assert.throws(() => machine.cloneState(def, s, "b", T0), /not done in this run/);
  s = machine.jobDone(s, "b", "job-1", { out: 1 }, T0);
  s = machine.submit(def, s, "c", { v: "y" }, T0);
  s = machine.finalize(def, s, T0);
  const later = "2026-02-01T00:00:00.000Z";
  const copy = machine.cloneState(def, s, "b", later);
  assert.deepEqual(copy.steps, { a: { v: "x" }, b: { out: 1 } });
  assert.equal(copy.jobs.b!.status, "done");
  assert.equal(copy.finalized, false);
  assert.equal(copy.created, later);
  assert.deepEqual(machine.view(def, copy), ["done", "done", "form"]);
  assert.deepEqual(machine.cloneState(def, s, "a", later).steps, { a: { v: "x" } });
});

Deno.test("a start link's values for a step go when that step is submitted", () => {
  const def = workflow(3);
  const s = { ...machine.initialState(T0), prefill: { s1: { v: "a" }, s2: { v: "b" } } };
  const one = machine.submit(def, s, "s0", { v: "x" }, T0);
  assert.deepEqual(one.prefill, { s1: { v: "a" }, s2: { v: "b" } });
  const two = machine.submit(def, one, "s1", { v: "y" }, T0);
  assert.deepEqual(two.prefill, { s2: { v: "b" } });
  assert.equal(machine.submit(def, two, "s2", { v: "z" }, T0).prefill, undefined);
});

Deno.test("a suggested key is the first free number of its prefix, read from the key index alone", () => {
  const db = openDatabase(":memory:");
  const runs = createRuns(db);
  const make = (key: string) => runs.create(key, "hello", machine.initialState(T0));
  assert.equal(suggestFreeKey("Ada L", "hello", runs), "ada-l-hello-01");
  for (const key of ["ada-l-hello-01", "ada-l-hello-02", "ada-l-hello-04"]) make(key);
  // Neighbours of the prefix on either side of the range do not count.
  for (const key of ["ada-l-hello", "ada-l-hello_03", "ada-l-hellp-03", "ada-l-hell-03"]) make(key);
  assert.deepEqual(
    [...runs.keysStartingWith("ada-l-hello-")].sort(),
    ["ada-l-hello-01", "ada-l-hello-02", "ada-l-hello-04"],
  );
  assert.equal(suggestFreeKey("Ada L", "hello", runs), "ada-l-hello-03");
  make("ada-l-hello-03");
  assert.equal(suggestFreeKey("Ada L", "hello", runs), "ada-l-hello-05");
  db.close();
});
