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
import echarts from "echarts/dist/echarts.common.min.js" with { type: "text" };
import tabulator from "tabulator-tables/dist/js/tabulator.min.js" with { type: "text" };
import tabulatorCss from "tabulator-tables/dist/css/tabulator.min.css" with { type: "text" };
// Vendored, not imported through npm: see vendor/README.md.
import mermaid from "./vendor/mermaid.min.js" with { type: "text" };
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
  "echarts.min.js": echarts,
  "tabulator.min.js": tabulator,
  "tabulator.min.css": tabulatorCss,
  "mermaid.min.js": mermaid,
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
