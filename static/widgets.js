// Display widgets on workflow cards: data tables (Tabulator), charts (ECharts), diagrams
// (Mermaid) and copy buttons. Each library is fetched only when a page shows its widget; the
// URLs (with content hashes) come from this script's data attributes. Elements carry their
// data in attributes, so no inline script is ever needed; a swap by htmx scans again.
(() => {
  "use strict";
  const me = document.currentScript;
  const src = me ? { ...me.dataset } : {};
  const loading = new Map();
  const load = (url) => {
    if (!loading.has(url)) {
      loading.set(
        url,
        new Promise((resolve, reject) => {
          const script = document.createElement("script");
          script.src = url;
          script.onload = resolve;
          script.onerror = () => reject(new Error(`could not load ${url}`));
          document.head.append(script);
        }),
      );
    }
    return loading.get(url);
  };
  const stylesheet = (url) => {
    if (document.querySelector(`link[data-widget-css="${url}"]`)) return;
    const link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = url;
    link.dataset.widgetCss = url;
    document.head.append(link);
  };
  const scheme = matchMedia("(prefers-color-scheme: dark)");
  const dark = () => scheme.matches;
  const fail = (el, error) => {
    el.dataset.ready = "error";
    const note = document.createElement("p");
    note.className = "field-error";
    note.textContent = `This could not be drawn: ${error.message || error}`;
    el.after(note);
  };

  // Charts: <div data-chart='{"kind":"bar","labels":[...],"series":[{"name","values"}]}'>
  const chartOption = (spec) => {
    const base = { backgroundColor: "transparent", animation: false, tooltip: {} };
    if (spec.kind === "pie") {
      const values = spec.series[0] ? spec.series[0].values : [];
      return {
        ...base,
        legend: { bottom: 0 },
        series: [{
          type: "pie",
          radius: "60%",
          name: spec.series[0] ? spec.series[0].name : "",
          data: spec.labels.map((name, i) => ({ name, value: values[i] })),
        }],
      };
    }
    return {
      ...base,
      legend: spec.series.length > 1 ? {} : undefined,
      grid: { left: 48, right: 16, top: 24, bottom: 32 },
      xAxis: { type: "category", data: spec.labels },
      yAxis: { type: "value", minInterval: 1 },
      series: spec.series.map((s) => ({ type: spec.kind, name: s.name, data: s.values })),
    };
  };
  const drawChart = (el) => {
    const old = echarts.getInstanceByDom(el);
    if (old) old.dispose();
    const chart = echarts.init(el, dark() ? "dark" : null, { renderer: "svg" });
    chart.setOption(chartOption(JSON.parse(el.dataset.chart)));
    el.dataset.ready = "1";
    return chart;
  };
  const charts = async (root) => {
    const found = [...root.querySelectorAll("[data-chart]:not([data-ready])")];
    if (found.length === 0 || !src.chart) return;
    // Claimed before the library loads: a second scan meanwhile must not take them too.
    for (const el of found) el.dataset.ready = "pending";
    await load(src.chart);
    for (const el of found) {
      if (!el.isConnected) continue;
      try {
        drawChart(el);
        // The instance changes when the theme does: look it up on every resize.
        new ResizeObserver(() => {
          const chart = echarts.getInstanceByDom(el);
          if (!chart) return;
          chart.resize();
          // Draw now rather than on the next animation frame, so the chart is never blank.
          const zr = chart.getZr && chart.getZr();
          if (zr && zr.refreshImmediately) zr.refreshImmediately();
        }).observe(el);
      } catch (error) {
        fail(el, error);
      }
    }
  };

  // Tabulator's grid keeps a focusable box (for keyboard scrolling) with no role between the
  // grid and its rows, which a grid may not own, and the "No rows match." box has no role at all.
  // The scrolling box becomes the body's row group, and the empty box a row of one cell.
  const gridRoles = (grid) => {
    grid.removeAttribute("aria-owns");
    const scroller = grid.querySelector(":scope > .tabulator-tableholder");
    if (scroller) scroller.setAttribute("role", "rowgroup");
    const body = grid.querySelector(".tabulator-tableholder > .tabulator-table");
    if (body) body.setAttribute("role", "none");
    const empty = grid.querySelector(".tabulator-placeholder");
    if (empty) {
      empty.setAttribute("role", "row");
      const text = empty.querySelector(".tabulator-placeholder-contents");
      if (text) text.setAttribute("role", "gridcell");
    }
  };

  // Tabulator sorts on a click of a column's header only: each sortable header also takes the
  // focus and sorts with Enter or Space, as a button would.
  const keyboardSort = (grid) => {
    for (const head of grid.querySelectorAll(".tabulator-col.tabulator-sortable")) {
      if (head.dataset.keys) continue;
      head.dataset.keys = "1";
      head.tabIndex = 0;
      head.addEventListener("keydown", (event) => {
        if (event.key !== "Enter" && event.key !== " ") return;
        event.preventDefault();
        head.click();
      });
    }
  };

  // Tables: a server-rendered <table data-table> becomes sortable and paged; its filter box
  // is <input data-table-filter="TABLE-ID">.
  const tables = async (root) => {
    const found = [...root.querySelectorAll("table[data-table]:not([data-ready])")];
    if (found.length === 0 || !src.table) return;
    for (const el of found) el.dataset.ready = "pending";
    if (src.tableCss) stylesheet(src.tableCss);
    await load(src.table);
    for (const el of found) {
      if (!el.isConnected) continue; // swapped away while the library loaded
      // Read the server's table as text (never as HTML) and hand Tabulator the data.
      const heads = [...el.tHead.rows[0].cells];
      const columns = heads.map((th) => ({
        title: th.textContent.trim(),
        field: th.getAttribute("tabulator-field"),
        sorter: th.getAttribute("tabulator-sorter") || "string",
        hozAlign: th.getAttribute("tabulator-sorter") === "number" ? "right" : "left",
      }));
      const data = [...(el.tBodies[0] ? el.tBodies[0].rows : [])].map((tr) => {
        const row = {};
        columns.forEach((c, i) => {
          const text = tr.cells[i] ? tr.cells[i].textContent : "";
          row[c.field] = c.sorter === "number" && text !== "" ? Number(text) : text;
        });
        return row;
      });
      const size = Number(el.dataset.pageSize || 100);
      const holder = document.createElement("div");
      holder.id = el.id;
      holder.dataset.ready = "1";
      holder.setAttribute("aria-label", el.caption ? el.caption.textContent : "Table");
      el.replaceWith(holder);
      // The page buttons go below the grid, not inside it: a grid may hold only rows.
      const paged = data.length > size;
      const pager = document.createElement("nav");
      pager.className = "data-table-pages";
      pager.setAttribute("aria-label", `Pages of ${holder.getAttribute("aria-label")}`);
      // "Showing 1-100 of 151 rows" goes beside the page buttons.
      const counter = document.createElement("span");
      counter.className = "data-table-counter";
      const foot = document.createElement("div");
      foot.className = "data-table-foot";
      foot.append(counter, pager);
      if (paged) holder.after(foot);
      try {
        const table = new Tabulator(holder, {
          data,
          columns,
          layout: "fitDataStretch",
          pagination: paged,
          paginationSize: size,
          paginationElement: pager,
          placeholder: "No rows match.",
        });
        table.on("tableBuilt", () => {
          gridRoles(holder);
          keyboardSort(holder);
        });
        table.on("renderComplete", () => {
          gridRoles(holder);
          // Tabulator draws no count when it draws its buttons elsewhere: "Showing 1-100 of 151 rows".
          if (!paged) return;
          const total = table.getDataCount("active");
          const first = total === 0 ? 0 : (table.getPage() - 1) * size + 1;
          const last = Math.min(total, table.getPage() * size);
          counter.textContent = `Showing ${first}-${last} of ${total} rows`;
        });
        const box = document.querySelector(`input[data-table-filter="${holder.id}"]`);
        if (box) {
          const filter = () => {
            const words = box.value.toLowerCase().split(/\s+/).filter(Boolean);
            if (words.length === 0) table.clearFilter();
            else {
              table.setFilter((row) => {
                const text = Object.values(row).join(" ").toLowerCase();
                return words.every((w) => text.includes(w));
              });
            }
          };
          box.addEventListener("input", filter);
          table.on("tableBuilt", filter);
          // The count beside the box follows the filter: "1 of 9 rows".
          const count = document.querySelector(`[data-table-count="${holder.id}"]`);
          if (count) {
            table.on("dataFiltered", (filters, rows) => {
              const all = data.length === 1 ? "1 row" : `${data.length} rows`;
              count.textContent = rows.length === data.length ? all : `${rows.length} of ${all}`;
            });
          }
        }
      } catch (error) {
        fail(holder, error);
      }
    }
  };

  // Diagrams: <pre class="mermaid" data-diagram>source</pre>, drawn with securityLevel strict.
  const diagrams = async (root, again = false) => {
    const selector = again ? "pre[data-diagram]" : "pre[data-diagram]:not([data-ready])";
    const found = [...root.querySelectorAll(selector)];
    if (found.length === 0 || !src.mermaid) return;
    for (const el of found) {
      el.dataset.source ??= el.textContent;
      el.dataset.ready = "pending";
    }
    await load(src.mermaid);
    const live = found.filter((el) => el.isConnected);
    if (live.length === 0) return;
    mermaid.initialize({
      startOnLoad: false,
      securityLevel: "strict",
      theme: dark() ? "dark" : "default",
    });
    for (const el of live) {
      el.textContent = el.dataset.source;
      el.removeAttribute("data-processed");
    }
    try {
      await mermaid.run({ nodes: live });
      for (const el of live) el.dataset.ready = "1";
    } catch (error) {
      for (const el of live) if (el.dataset.ready !== "1") fail(el, error);
    }
  };

  const scan = () => {
    charts(document);
    tables(document);
    diagrams(document);
  };
  document.addEventListener("DOMContentLoaded", scan);
  document.addEventListener("htmx:after:swap", scan);
  document.addEventListener("htmx:after:settle", scan);
  // Follow the light/dark switch: charts and diagrams are drawn again in the other theme.
  scheme.addEventListener("change", () => {
    if (typeof echarts !== "undefined") {
      for (const el of document.querySelectorAll("[data-chart][data-ready='1']")) drawChart(el);
    }
    if (typeof mermaid !== "undefined") diagrams(document, true);
  });
  if (document.readyState !== "loading") scan();
})();
