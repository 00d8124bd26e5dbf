/**
 * @module
 * The first thing in the menu: what Cardflow is and how to use it.
 */

import { definePage } from "@/pipeline/mod.ts";

export default definePage({
  name: "introduction",
  title: "Introduction",
  description: "What Cardflow is, and how its workflows, apps and assistant fit together.",
  roles: ["Core"],
  render: () => (
    <>
      <p>
        Cardflow runs step-by-step{" "}
        <strong>workflows</strong>: each step is a card, and the data flows from card to card. One
        key tracks a run; you can leave and come back to it with that key, even after a restart.
      </p>
      <ul>
        <li>Submitting a step clears every step after it, so what you see is always consistent.</li>
        <li>Finished steps show what you entered; revert one to change it.</li>
        <li>Finalize a run to lock it; unfinalize to unlock it with everything intact.</li>
      </ul>
      <p>
        Small <strong>apps</strong>{" "}
        such as Tasks and Profiles keep lists, and the assistant in the chat panel can comment on
        your work and change those lists when you ask it to.
      </p>
      <p class="muted">Everything stays on this machine, in the data folder.</p>
    </>
  ),
});
