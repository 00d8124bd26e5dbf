/**
 * @module
 * Hello, the original design's StarterFlow: a name, then a greeting computed from it,
 * then finalize. The smallest complete workflow, and the README's example.
 */

import { defineWorkflow } from "@/pipeline/mod.ts";

export default defineWorkflow({
  name: "hello",
  title: "Hello",
  description: "The starter workflow: enter a name, get a greeting, finalize.",
  roles: ["Tutorial"],
  steps: [
    {
      id: "step_01",
      label: "Your name",
      field: { name: "name", kind: "text", maxLength: 80, placeholder: "Ada" },
      refill: true,
    },
    {
      id: "step_02",
      label: "Greeting",
      field: { name: "greeting", kind: "text", maxLength: 200 },
      refill: true,
      suggest: (earlier) => `Hello, ${earlier.step_01?.name ?? "there"}!`,
    },
  ],
  finish: "Finalize to lock in your greeting.",
});
