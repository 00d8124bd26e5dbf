import assert from "node:assert/strict";
import fc from "fast-check";
import { openDatabase } from "@/lib/db.ts";
import { NotFoundError } from "@/lib/errors.ts";
import { defineWorkflow, type WorkflowDefinition } from "@/pipeline/mod.ts";
import * as machine from "@/pipeline/workflow/machine.ts";
import { createRuns } from "@/services/workflows/runs.ts";

function workflow(steps: number, refill: boolean[] = []): WorkflowDefinition {
  return defineWorkflow({
    name: "w",
    title: "W",
    description: "d",
    steps: Array.from({ length: steps }, (_, i) => ({
      id: `s${i}`,
      label: `Step ${i}`,
      field: { name: "v", kind: "text" as const },
      refill: refill[i] ?? false,
    })),
  });
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
    ops: fc.array(opArb(steps), { maxLength: 40 }),
  })
);

function apply(def: WorkflowDefinition, s: machine.RunState, op: Op): machine.RunState {
  const id = "step" in op ? def.steps[op.step]!.id : "";
  if (op.kind === "submit") return machine.submit(def, s, id, { v: op.value }, T0);
  if (op.kind === "revert") {
    machine.revert(def, s, id);
    return s;
  }
  if (op.kind === "finalize") return machine.finalize(def, s, T0);
  return machine.unfinalize(s, T0);
}

Deno.test("property: after every submit of step N later steps are absent and earlier ones unchanged; finalized runs never change", () => {
  fc.assert(
    fc.property(scenario, ({ steps, refill, ops }) => {
      const def = workflow(steps, refill);
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
              assert.deepEqual(after.steps[step.id], { v: op.value });
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
    fc.property(scenario, ({ steps, ops }) => {
      const db = openDatabase(":memory:");
      const runs = createRuns(db);
      const def = workflow(steps);
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
