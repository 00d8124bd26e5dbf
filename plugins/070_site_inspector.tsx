/**
 * @module
 * Site inspector: crawl a small web site and report on its pages — status,
 * title, meta description, word count, broken links — as a table (with a CSV
 * download), a chart of status codes and a diagram of how the pages link.
 * It declares no hosts of its own: the person allows the site with
 * `--net-host` (step 1 says so when they have not). Pages are parsed
 * with htmlparser2, never with regular expressions.
 */

import {
  defineWorkflow,
  describeNetError,
  type FileRef,
  type JobContext,
  NetError,
  type Row,
  type StepValues,
} from "@/pipeline/mod.ts";
import { Chart } from "@/components/chart.tsx";
import { DataTable } from "@/components/data_table.tsx";
import { Diagram, mermaidLabel } from "@/components/diagram.tsx";
import { parseDocument } from "htmlparser2";
import { selectAll, selectOne } from "css-select";
import { textContent } from "domutils";
import { type AnyNode, type Element, isTag, isText } from "domhandler";

/** What the crawl looks at, by the multiselect's values. */
const CHECKS = [
  { value: "title", label: "Page titles" },
  { value: "description", label: "Meta descriptions" },
  { value: "words", label: "Word counts" },
  { value: "links", label: "Broken links" },
];

/** Pages fetched at once. */
const PARALLEL = 4;
/** The largest page read; a bigger one is reported, not parsed. */
const MAX_PAGE_BYTES = 2 * 1024 * 1024;
/** Link graphs with more pages than this are not drawn (they would not be legible). */
const MAX_DIAGRAM_PAGES = 30;

const SKIP = new Set(["script", "style", "noscript", "template", "svg"]);

/** Title, description, word count and links of an HTML page. */
export function readPage(html: string, base: string) {
  const doc = parseDocument(html);
  const one = (query: string) => selectOne<AnyNode, Element>(query, doc);
  const title = textContent(one("title") ?? []).replace(/\s+/g, " ").trim();
  const description = one('meta[name="description" i]')?.attribs.content?.trim() ?? "";
  const links: string[] = [];
  for (const a of selectAll<AnyNode, Element>("a[href]", doc)) {
    try {
      const url = new URL(a.attribs.href!, base);
      url.hash = "";
      if (url.protocol === "http:" || url.protocol === "https:") links.push(url.href);
    } catch { /* not a URL: not a link to follow */ }
  }
  const words: string[] = [];
  const walk = (nodes: AnyNode[]) => {
    for (const node of nodes) {
      if (isText(node)) words.push(node.data);
      else if (isTag(node) && !SKIP.has(node.name)) walk(node.children);
    }
  };
  walk((one("body") ?? doc).children);
  const wordCount = words.join(" ").split(/\s+/).filter(Boolean).length;
  return { title, description, links: [...new Set(links)], wordCount };
}

/** One crawled page, as stored and shown. */
interface Page extends Row {
  url: string;
  status: number;
  type: string;
  title: string;
  description: string;
  words: number;
  links: number;
  broken: number;
  problem: string;
}

/** Crawl from `start` within the limits; stops when the job is cancelled. */
async function crawl(site: StepValues[string], context: JobContext) {
  const start = new URL(String(site.url));
  const max = Number(site.maxPages);
  const sameHost = site.sameHost === true;
  const timeoutMs = Number(site.timeout) * 1000;
  const began = Date.now();
  const queue = [start.href];
  const seen = new Set(queue);
  const pages: Page[] = [];
  const outlinks = new Map<string, string[]>();
  let done = 0;

  async function visit(url: string): Promise<void> {
    const page: Page = {
      url,
      status: 0,
      type: "",
      title: "",
      description: "",
      words: 0,
      links: 0,
      broken: 0,
      problem: "",
    };
    pages.push(page);
    try {
      const response = await context.fetch(url, {
        timeoutMs,
        maxBytes: MAX_PAGE_BYTES,
        headers: { accept: "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1" },
      });
      page.status = response.status;
      page.type = response.contentType;
      if (response.status >= 400) page.problem = `HTTP ${response.status}`;
      if (
        response.contentType === "text/html" || response.contentType === "application/xhtml+xml"
      ) {
        const found = readPage(response.text(), response.url);
        Object.assign(page, {
          title: found.title,
          description: found.description,
          words: found.wordCount,
          links: found.links.length,
        });
        outlinks.set(url, found.links);
        for (const link of found.links) {
          if (seen.has(link) || seen.size >= max) continue;
          if (sameHost && new URL(link).host !== start.host) continue;
          seen.add(link);
          queue.push(link);
        }
      } else if (!page.problem) {
        page.problem = `not HTML (${response.contentType || "no type"})`;
      }
    } catch (error) {
      if (!(error instanceof NetError) || error.kind === "aborted") throw error;
      page.status = error.status ?? 0;
      page.problem = describeNetError(error);
    }
    done++;
    context.report(done, Math.max(seen.size, done), url);
  }

  const running = new Set<Promise<void>>();
  while ((queue.length > 0 || running.size > 0) && !context.signal.aborted) {
    while (queue.length > 0 && running.size < PARALLEL) {
      const task = visit(queue.shift()!).finally(() => running.delete(task));
      running.add(task);
    }
    await Promise.race(running);
  }
  context.signal.throwIfAborted();
  const failed = new Set(pages.filter((p) => p.status === 0 || p.status >= 400).map((p) => p.url));
  const crawled = new Set(pages.map((p) => p.url));
  const edges: Row[] = [];
  for (const page of pages) {
    const links = outlinks.get(page.url) ?? [];
    page.broken = links.filter((l) => failed.has(l)).length;
    for (const to of links) {
      if (crawled.has(to) && to !== page.url) edges.push({ from: page.url, to });
    }
  }
  pages.sort((a, b) => a.url.localeCompare(b.url));
  const seconds = Math.round((Date.now() - began) / 100) / 10;
  const report = await context.save(
    "pages.json",
    JSON.stringify(pages, null, 2),
    "application/json",
  );
  return { pages, edges, seconds, report: [report] };
}

function pagesOf(earlier: StepValues): Page[] {
  return (earlier.crawl?.pages ?? []) as Page[];
}

function checksOf(earlier: StepValues): string[] {
  return (earlier.site?.checks ?? []) as string[];
}

/** The table's columns for the checks chosen in step 1. */
function columnsFor(checks: string[]) {
  return [
    { key: "url", label: "Page" },
    { key: "status", label: "Status", numeric: true },
    ...(checks.includes("title") ? [{ key: "title", label: "Title" }] : []),
    ...(checks.includes("description") ? [{ key: "description", label: "Meta description" }] : []),
    ...(checks.includes("words") ? [{ key: "words", label: "Words", numeric: true }] : []),
    ...(checks.includes("links") ? [{ key: "broken", label: "Broken links", numeric: true }] : []),
    { key: "problem", label: "Problem" },
  ];
}

function PagesTable(props: { earlier: StepValues; csv?: string }) {
  return (
    <DataTable
      id="site-pages"
      caption="The crawled pages"
      columns={columnsFor(checksOf(props.earlier))}
      rows={pagesOf(props.earlier)}
      csv={props.csv}
    />
  );
}

function StatusChart(props: { pages: Page[]; kind: "bar" | "line" | "pie" }) {
  const counts = new Map<string, number>();
  for (const page of props.pages) {
    const key = page.status === 0 ? "failed" : String(page.status);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const labels = [...counts.keys()].sort();
  return (
    <Chart
      kind={props.kind}
      title="Pages by HTTP status"
      labels={labels}
      series={[{ name: "Pages", values: labels.map((l) => counts.get(l)!) }]}
    />
  );
}

function LinkGraph(props: { earlier: StepValues }) {
  const pages = pagesOf(props.earlier);
  if (pages.length > MAX_DIAGRAM_PAGES) {
    return (
      <p class="muted">The link graph is drawn for sites of up to {MAX_DIAGRAM_PAGES} pages.</p>
    );
  }
  const id = new Map(pages.map((p, i) => [p.url, `p${i}`]));
  const lines = ["flowchart LR"];
  for (const page of pages) {
    const path = new URL(page.url).pathname || "/";
    const style = page.problem ? ":::problem" : "";
    lines.push(`  ${id.get(page.url)}[${mermaidLabel(path)}]${style}`);
  }
  for (const edge of (props.earlier.crawl?.edges ?? []) as Row[]) {
    const from = id.get(String(edge.from));
    const to = id.get(String(edge.to));
    if (from && to) lines.push(`  ${from} --> ${to}`);
  }
  lines.push("  classDef problem stroke:#c0362c,stroke-width:3px");
  return <Diagram source={lines.join("\n")} label="How the pages link to each other" />;
}

export default defineWorkflow({
  name: "site-inspector",
  title: "Site inspector",
  description:
    "Crawl a small web site: status, title, description, words and broken links of each page, as a table, a chart and a link graph.",
  roles: ["Core"],
  steps: [
    {
      id: "site",
      label: "Site to inspect",
      refill: true,
      fields: [
        {
          name: "url",
          kind: "url",
          label: "Start page",
          placeholder: "https://example.com/",
          help: "Cardflow fetches only hosts you allowed with --net-host.",
          validate: (value, _earlier, net) =>
            net.allows(String(value))
              ? undefined
              : `Cardflow may not fetch from ${new URL(String(value)).host}. Start it with ` +
                `--net-host ${new URL(String(value)).host} and try again.`,
        },
        { name: "sameHost", kind: "checkbox", label: "Stay on this host", default: true },
        {
          name: "maxPages",
          kind: "range",
          label: "At most this many pages",
          min: 1,
          max: 200,
          default: 30,
        },
        {
          name: "timeout",
          kind: "select",
          label: "Wait for each page",
          default: "5",
          options: [
            { value: "1", label: "1 second", group: "Quick" },
            { value: "2", label: "2 seconds", group: "Quick" },
            { value: "5", label: "5 seconds", group: "Patient" },
            { value: "10", label: "10 seconds", group: "Patient" },
          ],
        },
        {
          name: "checks",
          kind: "multiselect",
          label: "What to check",
          options: CHECKS,
          default: CHECKS.map((c) => c.value),
        },
      ],
    },
    {
      id: "crawl",
      label: "Crawl",
      fields: [],
      intro: (earlier) => (
        <p>
          Fetch <code>{String(earlier.site?.url)}</code> and the pages it links to, at most{" "}
          {String(earlier.site?.maxPages)}. You can leave this page, and cancel at any time.
        </p>
      ),
      job: {
        run: (_values, context) => crawl(context.earlier.site!, context),
      },
      display: (values, context) => {
        const pages = (values.pages ?? []) as Page[];
        const problems = pages.filter((p) => p.problem).length;
        const [report] = (values.report ?? []) as FileRef[];
        return (
          <p>
            Fetched {pages.length} pages in {String(values.seconds)} s; {problems} with a problem.
            {report && (
              <>
                {" "}
                <a href={context.fileUrl(report)} download="pages.json">pages.json</a>
              </>
            )}
          </p>
        );
      },
    },
    {
      id: "pages",
      label: "Pages",
      fields: [{
        name: "notes",
        kind: "textarea",
        label: "Your notes",
        required: false,
        maxLength: 5000,
      }],
      intro: (earlier, context) => <PagesTable earlier={earlier} csv={context.downloads.csv} />,
      display: (values, context) => (
        <>
          <PagesTable earlier={context.earlier} csv={context.downloads.csv} />
          {values.notes ? <p class="notes">{String(values.notes)}</p> : null}
        </>
      ),
      download: {
        name: "pages",
        csv: (_values, earlier) => ({
          columns: [
            "url",
            "status",
            "type",
            "title",
            "description",
            "words",
            "links",
            "broken",
            "problem",
          ],
          rows: pagesOf(earlier),
        }),
        json: (_values, earlier) => pagesOf(earlier),
      },
    },
    {
      id: "report",
      label: "Status codes and links",
      fields: [{
        name: "chart",
        kind: "radio",
        label: "Chart",
        options: [
          { value: "bar", label: "Bars" },
          { value: "pie", label: "Pie" },
          { value: "line", label: "Line" },
        ],
        default: "bar",
      }],
      intro: (earlier) => (
        <>
          <StatusChart pages={pagesOf(earlier)} kind="bar" />
          <LinkGraph earlier={earlier} />
        </>
      ),
      display: (values, context) => (
        <>
          <StatusChart
            pages={pagesOf(context.earlier)}
            kind={String(values.chart) as "bar" | "line" | "pie"}
          />
          <LinkGraph earlier={context.earlier} />
        </>
      ),
    },
  ],
  finish: "Finalize to keep this inspection as it is.",
});
