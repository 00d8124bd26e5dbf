/**
 * @module
 * Showcase: a workflow that uses everything the engine offers — every input
 * kind, validation, a computed step, Markdown, a table, highlighted code, a
 * file upload and a long-running step with live progress — as a reference
 * for writing your own.
 */

import { defineWorkflow } from "@/pipeline/mod.ts";
import { Markdown } from "@/components/markdown.tsx";
import { CopyableCode } from "@/components/code.tsx";

function rows(text: string): string[][] {
  return text.split("\n").map((line) => line.split(",").map((cell) => cell.trim())).filter((r) =>
    r.some(Boolean)
  );
}

export default defineWorkflow({
  name: "showcase",
  title: "Showcase",
  description:
    "Every input kind, validation, Markdown, a table, code, an upload and a long-running step.",
  roles: ["Developer"],
  steps: [
    {
      id: "title",
      label: "Project title",
      field: {
        name: "title",
        kind: "text",
        maxLength: 80,
        placeholder: "Spring clean",
        validate: (value) =>
          String(value).length < 3 ? "Project title needs at least 3 characters." : undefined,
      },
      refill: true,
    },
    {
      id: "notes",
      label: "Notes (Markdown)",
      field: {
        name: "notes",
        kind: "textarea",
        maxLength: 5000,
        placeholder: "# Plan\n- **first** thing",
      },
      refill: true,
      display: (values) => <Markdown text={String(values.notes)} />,
    },
    {
      id: "count",
      label: "How many items",
      field: { name: "count", kind: "number", min: 1, max: 200 },
      refill: true,
    },
    {
      id: "colour",
      label: "Colour",
      field: { name: "colour", kind: "select", options: ["red", "green", "blue"] },
      refill: true,
    },
    {
      id: "urgent",
      label: "Urgent",
      field: { name: "urgent", kind: "checkbox", label: "This is urgent" },
    },
    {
      id: "due",
      label: "Due date",
      field: { name: "due", kind: "date" },
      refill: true,
    },
    {
      id: "summary",
      label: "Summary (computed)",
      field: { name: "summary", kind: "text", maxLength: 300 },
      suggest: (e) =>
        `${e.title?.title}: ${e.count?.count} ${e.colour?.colour} items${
          e.urgent?.urgent ? ", urgent" : ""
        }, due ${e.due?.due}`,
    },
    {
      id: "table",
      label: "Items (one per line: name, quantity)",
      field: {
        name: "items",
        kind: "textarea",
        maxLength: 5000,
        placeholder: "paint, 2\nbrushes, 5",
        validate: (value) =>
          rows(String(value)).every((r) => r.length === 2 && /^\d+$/.test(r[1]!))
            ? undefined
            : "Each line needs a name, a comma and a whole number.",
      },
      refill: true,
      display: (values) => (
        <table class="data">
          <thead>
            <tr>
              <th>Item</th>
              <th>Quantity</th>
            </tr>
          </thead>
          <tbody>
            {rows(String(values.items)).map(([name, qty]) => (
              <tr>
                <td>{name}</td>
                <td>{qty}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ),
    },
    {
      id: "code",
      label: "A snippet (TypeScript)",
      field: { name: "code", kind: "textarea", maxLength: 5000, placeholder: "const answer = 42;" },
      refill: true,
      display: (values) => (
        <CopyableCode id="snippet" code={String(values.code)} language="typescript" />
      ),
    },
    {
      id: "upload",
      label: "Attachment",
      field: { name: "file", kind: "file", maxBytes: 64 * 1024 },
      display: (values) => (
        <p>
          Stored as <code>{String(values.file)}</code> ({String(values.file_bytes)} bytes).
        </p>
      ),
    },
    {
      id: "crunch",
      label: "Crunch the items",
      field: {
        name: "rounds",
        kind: "number",
        min: 1,
        max: 100,
        label: "Rounds of work (0.1 s each)",
      },
      job: {
        async run(values, { report, signal }) {
          const total = Number(values.rounds);
          let checksum = 0;
          for (let i = 1; i <= total; i++) {
            if (signal.aborted) throw new Error("stopped");
            await new Promise((r) => setTimeout(r, 100));
            checksum = (checksum * 31 + i) % 1_000_003;
            report(i, total, `round ${i}`);
          }
          return { checksum };
        },
      },
      display: (values) => (
        <p>{String(values.rounds)} rounds done, checksum {String(values.checksum)}.</p>
      ),
    },
  ],
  finish: "Everything is done: finalize to lock the showcase run.",
});
