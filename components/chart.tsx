/**
 * @module
 * A chart for workflow cards: bar, line or pie, drawn by ECharts in the
 * browser (`static/widgets.js`, in the dark theme when the page is dark). The
 * numbers are also written out as a list inside, for screen readers and for
 * a page without script.
 */

/** One series of numbers, one per label. */
export interface ChartSeries {
  name: string;
  values: number[];
}

/** Props of {@linkcode Chart}. */
export interface ChartProps {
  kind: "bar" | "line" | "pie";
  /** What the chart shows, in words. */
  title: string;
  labels: string[];
  series: ChartSeries[];
  /** Height in pixels (280 when omitted). */
  height?: number;
}

/** A chart of `series` over `labels`. */
export function Chart(props: ChartProps) {
  const spec = { kind: props.kind, labels: props.labels, series: props.series };
  return (
    <figure class="chart-figure">
      <figcaption>{props.title}</figcaption>
      <div
        class="chart"
        role="img"
        aria-label={props.title}
        data-chart={JSON.stringify(spec)}
        style={`height: ${props.height ?? 280}px`}
      >
        <ul class="chart-fallback">
          {props.labels.map((label, i) => (
            <li>
              {label}: {props.series.map((s) => `${s.values[i] ?? ""}`).join(", ")}
            </li>
          ))}
        </ul>
      </div>
    </figure>
  );
}
