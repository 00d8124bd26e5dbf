/**
 * @module
 * The bench's report: the targets the README's table names, checked; the
 * table printed beside the two ceilings; the JSON in `bench/results/`; and
 * whether the run stands (no scenario answered with errors, no target missed).
 */

import type { LoadResult } from "./load.ts";

/** One measured scenario. */
export interface Row {
  name: string;
  result: LoadResult;
}

/** A target and what this run measured for it. */
export interface Checked {
  figure: string;
  what: "p50" | "p99" | "value";
  under: number;
  value: number;
  met: boolean;
}

/** The targets the README's table names: a run that misses one fails. */
export const TARGETS: { figure: string; what: "p50" | "p99" | "value"; under: number }[] = [
  { figure: "step submit, sequential", what: "p50", under: 2 },
  { figure: "tasks list page, 10k tasks (first 100 drawn)", what: "p50", under: 30 },
  { figure: "search as you type, 10k tasks, sequential", what: "p50", under: 20 },
  { figure: "search + filter + order, 10k tasks, sequential", what: "p50", under: 20 },
  { figure: "bulk toggle of 1,000 tasks (10k in the table), sequential", what: "p50", under: 100 },
  { figure: "start-up to first 200 (ms)", what: "value", under: 300 },
  { figure: "start-up with 100,000 runs and 10,000 tasks (ms)", what: "value", under: 300 },
  { figure: "resident memory after start (MB)", what: "value", under: 80 },
  { figure: "resident memory with 100,000 runs (MB)", what: "value", under: 80 },
  { figure: "LLM token relay p99 (ms)", what: "value", under: 2 },
  { figure: "live heap growth, 10 cycles of 1,000 WebSockets (MB)", what: "value", under: 1 },
  { figure: "dev: code save to reload (ms)", what: "value", under: 1500 },
  { figure: "dev: CSS save to new style (ms)", what: "value", under: 300 },
];

/** Each target with its figure from `rows` or `extra`. */
export function checkTargets(rows: readonly Row[], extra: Record<string, number>): Checked[] {
  return TARGETS.flatMap((t) => {
    const row = rows.find((r) => r.name === t.figure)?.result;
    const value = t.what === "value" ? extra[t.figure] : row?.[t.what];
    if (value !== undefined) return [{ ...t, value, met: value < t.under }];
    // Only the dev figures may be missing (--no-dev, or no dev loop here); a name that matches
    // nothing is a mistake in this table.
    if (!t.figure.startsWith("dev:")) {
      throw new Error(`bench: no figure "${t.figure}" was measured`);
    }
    return [];
  });
}

/** What {@linkcode writeReport} needs. */
export interface Report {
  rows: readonly Row[];
  extra: Record<string, number>;
  checked: readonly Checked[];
  seconds: number;
  /** Where the JSON goes. */
  path: string;
}

/**
 * Print the table, write the JSON, and say why the run does not stand (a
 * scenario answered with errors: it measured error pages; a target missed),
 * or undefined when it does.
 */
export async function writeReport(report: Report): Promise<string | undefined> {
  const { rows, extra, checked, seconds } = report;
  const ceiling = rows[0]!.result.rps;
  const sameBytes = rows[1]!.result.rps;
  const pad = (s: string, n: number) => s.padEnd(n);
  const tool = rows[0]!.result.tool;
  const lines = [
    `Cardflow benchmark (${tool}${
      tool === "wrk" ? " -t1" : ""
    } at 10 connections for ${seconds}s each unless sequential; loopback; ${
      new Date().toISOString()
    })`,
    `${pad("scenario", 56)} ${pad("req/s", 9)} ${pad("p50 ms", 8)} ${pad("p99 ms", 8)} ${
      pad("× ceiling", 10)
    } ${pad("× same-bytes", 13)} errors`,
    ...rows.map(({ name, result: r }) =>
      `${pad(name, 56)} ${pad(r.rps.toFixed(0), 9)} ${pad(r.p50.toFixed(2), 8)} ${
        pad(r.p99.toFixed(2), 8)
      } ${pad((r.rps / ceiling).toFixed(3), 10)} ${
        pad((r.rps / sameBytes).toFixed(3), 13)
      } ${r.errors}`
    ),
    "",
    ...Object.entries(extra).map(([k, v]) => `${pad(k, 56)} ${v.toFixed(1)}`),
    "",
    "targets:",
    ...checked.map((t) =>
      `${pad(`${t.figure}${t.what === "value" ? "" : ` ${t.what}`}`, 66)} ${
        pad(t.value.toFixed(2), 9)
      } under ${t.under}: ${t.met ? "met" : "MISSED"}`
    ),
  ];
  Deno.stdout.writeSync(new TextEncoder().encode(lines.join("\n") + "\n"));
  await Deno.mkdir(new URL(".", `file://${report.path}`).pathname, { recursive: true });
  await Deno.writeTextFile(
    report.path,
    JSON.stringify(
      {
        date: new Date().toISOString(),
        tool,
        seconds,
        ceiling,
        sameBytesCeiling: sameBytes,
        rows: rows.map(({ name, result }) => ({
          name,
          ...result,
          ratio: result.rps / ceiling,
          sameBytesRatio: result.rps / sameBytes,
        })),
        figures: extra,
        targets: checked,
      },
      null,
      2,
    ) + "\n",
  );

  const failed = rows.filter(({ result }) => result.errors > 0);
  if (failed.length) {
    return `benchmark invalid: ${
      failed.map((r) => `"${r.name}" (${r.result.errors} errors)`).join(", ")
    }`;
  }
  const missed = checked.filter((t) => !t.met);
  if (missed.length) {
    return `targets missed: ${missed.map((t) => `"${t.figure}" ${t.value.toFixed(2)}`).join(", ")}`;
  }
  return undefined;
}
