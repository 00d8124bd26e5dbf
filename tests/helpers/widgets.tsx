/**
 * @module
 * A workflow that exists only in tests: one step whose card shows a data
 * table of as many rows as asked (to page past 100) and a chart of the kind
 * chosen, so the display components are tested beyond the shipped plugins.
 */

import { defineWorkflow, type WorkflowDefinition } from "@/pipeline/mod.ts";
import { Chart } from "@/components/chart.tsx";
import { DataTable } from "@/components/data_table.tsx";

/** Row `n` of the table: its number, a name, and its square. */
export function widgetRow(n: number): { n: number; name: string; square: number } {
  return { n, name: `row ${n}`, square: n * n };
}

/** The chart's labels and two series (two, so it has a legend too). */
export const WIDGET_CHART = {
  labels: ["Mon", "Tue", "Wed", "Thu", "Fri"],
  series: [
    { name: "pages", values: [12, 30, 18, 42, 25] },
    { name: "errors", values: [1, 4, 2, 6, 3] },
  ],
};

/** One step: a number of rows and a kind of chart; its card shows both. */
export const WIDGETS: WorkflowDefinition = defineWorkflow({
  name: "widgets",
  title: "Widgets",
  description: "A long table and a chart.",
  steps: [
    {
      id: "show",
      label: "Show",
      fields: [
        { name: "rows", kind: "number", label: "Rows", min: 1, max: 1000 },
        { name: "chart", kind: "select", label: "Chart", options: ["bar", "line", "pie"] },
      ],
      display: (values) => (
        <div>
          <DataTable
            id="numbers"
            caption="Numbers and their squares"
            columns={[
              { key: "n", label: "N", numeric: true },
              { key: "name", label: "Name" },
              { key: "square", label: "Square", numeric: true },
            ]}
            rows={Array.from({ length: Number(values.rows) }, (_, i) => widgetRow(i + 1))}
          />
          <Chart
            kind={String(values.chart) as "bar" | "line" | "pie"}
            title="Pages and errors by day"
            {...WIDGET_CHART}
          />
        </div>
      ),
    },
  ],
});
