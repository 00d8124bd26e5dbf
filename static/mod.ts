/**
 * @module
 * The embedded static files. Text imports put every byte into the module
 * graph, so `deno compile` carries them and the binary needs nothing beside
 * it. Add a file here and it is served at `/static/<name>`.
 */

import htmx from "htmx.org/dist/htmx.min.js" with { type: "text" };
import htmxSse from "htmx.org/dist/ext/hx-sse.min.js" with { type: "text" };
import htmxWs from "htmx.org/dist/ext/hx-ws.min.js" with { type: "text" };
import sortable from "sortablejs/Sortable.min.js" with { type: "text" };
import widgetsJs from "./widgets.js" with { type: "text" };
import workflowJs from "./workflow.js" with { type: "text" };
import appCss from "./app.css" with { type: "text" };
import appJs from "./app.js" with { type: "text" };
import listsJs from "./lists.js" with { type: "text" };
import shellJs from "./shell.js" with { type: "text" };
import devJs from "./dev.js" with { type: "text" };

/** File name → content, for every file under `/static/`. */
export const EMBEDDED: Readonly<Record<string, string>> = {
  "htmx.min.js": htmx,
  "hx-sse.min.js": htmxSse,
  "hx-ws.min.js": htmxWs,
  "sortable.min.js": sortable,
  "app.css": appCss,
  "app.js": appJs,
  "lists.js": listsJs,
  "shell.js": shellJs,
  "dev.js": devJs,
  "widgets.js": widgetsJs,
  "workflow.js": workflowJs,
};

async function text(module: Promise<{ default: string }>): Promise<string> {
  return (await module).default;
}

/**
 * The large libraries only pages with a chart, a table or a diagram use:
 * loaded the first time one is asked for, so a Cardflow that never draws a
 * diagram never holds Mermaid's 5.5 MB (11 MB as a string). The specifiers
 * are literal, so `deno compile` still embeds them.
 */
export const LAZY: Readonly<Record<string, () => Promise<string>>> = {
  "echarts.min.js": () =>
    text(import("echarts/dist/echarts.common.min.js", { with: { type: "text" } })),
  "tabulator.min.js": () =>
    text(import("tabulator-tables/dist/js/tabulator.min.js", { with: { type: "text" } })),
  "tabulator.min.css": () =>
    text(import("tabulator-tables/dist/css/tabulator.min.css", { with: { type: "text" } })),
  // Vendored, not imported through npm: see vendor/README.md.
  "mermaid.min.js": () => text(import("./vendor/mermaid.min.js", { with: { type: "text" } })),
};

/** Files that live in this folder and may be re-read from disk in dev mode. */
export const LOCAL_FILES = [
  "app.css",
  "app.js",
  "dev.js",
  "widgets.js",
  "workflow.js",
  "lists.js",
  "shell.js",
];
