// Cardflow's list glue: what the CRUD pages need beyond htmx attributes. Selection and the bulk
// bar, drag-and-drop sorting, Undo (and Ctrl+Z), Escape to cancel an edit, and keeping the
// keyboard focus where the person was when part of a list is redrawn.
(() => {
  "use strict";
  const context = () => document.body.dataset.context || "";

  // ---- Selection and the bulk bar -------------------------------------------------------------
  // Rows are drawn again (a search, a live update from another tab), so what is selected is kept
  // here, per app, and put back on the new rows.
  const selected = new Map(); // slug → Set of ids
  const allMatching = new Map(); // slug → "select all matching" was ticked
  const appOf = (el) => el && el.closest && el.closest("[data-app]");
  const slugOf = (el) => appOf(el)?.dataset.app;
  const setOf = (slug) => {
    if (!selected.has(slug)) selected.set(slug, new Set());
    return selected.get(slug);
  };

  function refreshBar(slug) {
    const bar = document.getElementById(`${slug}-bulk`);
    if (!bar) return;
    const boxes = [...document.querySelectorAll(`#${slug}-list input.select`)];
    const all = document.getElementById(`${slug}-all`);
    const count = all && all.checked
      ? Number(bar.dataset.total || boxes.length)
      : boxes.filter((b) => b.checked).length;
    const shown = bar.querySelector("[data-count]");
    if (shown) shown.textContent = count.toLocaleString("en");
    bar.dataset.selected = String(count);
    for (const button of bar.querySelectorAll("button")) button.disabled = count === 0;
  }

  function restoreSelection(root) {
    for (const app of root.querySelectorAll ? root.querySelectorAll("[data-app]") : []) {
      restoreApp(app.dataset.app);
    }
    const slug = slugOf(root);
    if (slug) restoreApp(slug);
  }
  function restoreApp(slug) {
    const ids = setOf(slug);
    const boxes = [...document.querySelectorAll(`#${slug}-list input.select`)];
    const present = new Set(boxes.map((b) => b.value));
    for (const id of [...ids]) if (!present.has(id)) ids.delete(id);
    const all = document.getElementById(`${slug}-all`);
    if (all) all.checked = allMatching.get(slug) === true;
    for (const box of boxes) box.checked = all?.checked || ids.has(box.value);
    refreshBar(slug);
  }

  function clearSelection(slug) {
    setOf(slug).clear();
    allMatching.set(slug, false);
    restoreApp(slug);
  }

  document.addEventListener("change", (event) => {
    const box = event.target;
    if (!(box instanceof HTMLInputElement) || box.type !== "checkbox") return;
    const slug = slugOf(box);
    if (!slug) return;
    if (box.matches("[data-select-all]")) {
      allMatching.set(slug, box.checked);
      const ids = setOf(slug);
      for (const row of document.querySelectorAll(`#${slug}-list input.select`)) {
        row.checked = box.checked;
        if (box.checked) ids.add(row.value);
        else ids.delete(row.value);
      }
    } else if (box.matches("input.select")) {
      if (box.checked) setOf(slug).add(box.value);
      else setOf(slug).delete(box.value);
      const all = document.getElementById(`${slug}-all`);
      if (all && all.checked && !box.checked) {
        all.checked = false;
        allMatching.set(slug, false);
      }
    } else return;
    refreshBar(slug);
  });

  // One confirmation per change to many records, saying what and how many.
  document.addEventListener("htmx:confirm", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.matches("form.bulk")) return;
    event.preventDefault();
    const detail = event.detail;
    const submitter = detail.ctx.sourceEvent && detail.ctx.sourceEvent.submitter;
    const what = submitter ? submitter.textContent.trim().toLowerCase() : "change";
    const n = Number(form.dataset.selected || 0);
    const records = `${n.toLocaleString("en")} record${n === 1 ? "" : "s"}`;
    const sentence = submitter && submitter.value === "delete"
      ? `Delete ${records}? Undo brings them back.`
      : submitter && submitter.value === "transfer"
      ? `Move ${records} to ${
        form.querySelector("select[name=profile]")?.selectedOptions[0]?.textContent
      }?`
      : `${what.charAt(0).toUpperCase()}${what.slice(1)}: ${records}?`;
    if (window.confirm(sentence)) detail.issueRequest();
    else detail.dropRequest();
  });

  // ---- Requests from a list ------------------------------------------------------------------
  // A redraw keeps as many rows as are shown ("Show more" pages stay open).
  document.addEventListener("htmx:config:request", (event) => {
    const ctx = event.detail.ctx;
    const target = ctx.target;
    if (!(target instanceof Element) || !/-results$/.test(target.id)) return;
    const list = target.querySelector("ul.crud-list");
    const shown = list ? list.querySelectorAll(":scope > li.row").length : 0;
    if (ctx.request.body && shown) ctx.request.body.set("shown", String(shown));
  });

  // While a row is being dragged, a redraw would pull the list from under the pointer: it waits
  // for the drop, which redraws the list anyway.
  let dragging = false;
  document.addEventListener("htmx:before:swap", (event) => {
    const target = event.detail.ctx && event.detail.ctx.target;
    if (dragging && target instanceof Element && /-results$/.test(target.id)) {
      event.preventDefault();
    }
  });

  // ---- Keeping the focus ---------------------------------------------------------------------
  let lost = null; // where the focus was when a swap took its element away
  document.addEventListener("htmx:before:swap", (event) => {
    const target = event.detail.ctx && event.detail.ctx.target;
    const active = document.activeElement;
    lost = null;
    if (!(target instanceof Element) || !active || active === document.body) return;
    if (target.contains(active)) {
      const row = active.closest("li.row");
      lost = {
        target,
        row: row ? row.id : null,
        next: row ? (row.nextElementSibling?.id || row.previousElementSibling?.id || null) : null,
        app: slugOf(active),
        inAdd: !!active.closest("form.add"),
      };
    }
  });

  function focusFirst(selector) {
    const el = document.querySelector(selector);
    if (el) el.focus();
    return !!el;
  }

  document.addEventListener("htmx:after:swap", (event) => {
    const ctx = event.detail.ctx || {};
    const target = ctx.target;
    restoreSelection(target instanceof Element && target.isConnected ? target : document);
    initSortables(document);
    const place = lost;
    lost = null;
    // A fresh add form after adding: type the next one straight away.
    const add = target instanceof Element && target.matches("form.add") ? target : null;
    if (add && add.isConnected) {
      const invalid = add.querySelector("[autofocus]");
      (invalid || add.querySelector("input:not([type=hidden]), textarea, select"))?.focus();
      return;
    }
    if (!place || (document.activeElement && document.activeElement !== document.body)) return;
    // The swap took the focused element and htmx found no element with its id: pick the nearest.
    if (place.inAdd && place.app && focusFirst(`#${place.app}-add input:not([type=hidden])`)) {
      return;
    }
    if (place.row) {
      const row = document.getElementById(place.row);
      if (row && row.isConnected) {
        (row.querySelector("form.edit [autofocus], form.edit input, .title") || row).focus();
        return;
      }
      const next = place.next && document.getElementById(place.next);
      if (next && next.querySelector(".title")) {
        next.querySelector(".title").focus();
        return;
      }
    }
    if (place.app) focusFirst(`#${place.app}-q, #${place.app}-add input:not([type=hidden])`);
  });

  // After a change to many records (or an undo) the selection has done its work.
  document.addEventListener("htmx:after:request", (event) => {
    const ctx = event.detail.ctx;
    const source = ctx && ctx.sourceElement;
    if (!source || !ctx.response || ctx.response.status >= 400) return;
    if (source.matches("form.bulk")) clearSelection(slugOf(source));
  });

  // ---- Editing in place ----------------------------------------------------------------------
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || event.defaultPrevented) return;
    const form = event.target.closest && event.target.closest("li.row form.edit");
    if (!form) return;
    event.preventDefault();
    form.querySelector("[data-cancel]")?.click();
  });

  // ---- Undo ----------------------------------------------------------------------------------
  const typing = (el) =>
    el instanceof HTMLTextAreaElement || el instanceof HTMLSelectElement ||
    (el instanceof HTMLInputElement &&
      !["checkbox", "radio", "button", "submit", "reset", "file", "range", "color"].includes(
        el.type,
      )) ||
    (el && el.isContentEditable);
  document.addEventListener("keydown", (event) => {
    if (!(event.ctrlKey || event.metaKey) || event.shiftKey || event.altKey) return;
    if (event.key.toLowerCase() !== "z" || typing(document.activeElement)) return;
    const buttons = [...document.querySelectorAll("#main .undo-region [data-undo]")];
    const last = buttons[buttons.length - 1];
    if (!last) return;
    event.preventDefault();
    last.click();
  });
  document.addEventListener("click", (event) => {
    const dismiss = event.target.closest && event.target.closest("[data-dismiss]");
    if (!dismiss) return;
    const notice = dismiss.closest(".notice");
    const app = slugOf(notice);
    notice?.remove();
    if (app) focusFirst(`#${app}-q, #${app}-add input:not([type=hidden])`);
  });

  // ---- Drag and drop (SortableJS) ------------------------------------------------------------
  // Dropping posts the new order of the rows shown; the server puts them in the places they held
  // between them. Motion follows the person's setting.
  const reducedMotion = () => window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  function initSortables(root) {
    if (typeof Sortable === "undefined") return;
    for (const list of root.querySelectorAll("ul.sortable[data-sort-url]")) {
      if (list.dataset.sortableReady) continue;
      list.dataset.sortableReady = "1";
      Sortable.create(list, {
        handle: ".drag",
        draggable: "li.row",
        animation: reducedMotion() ? 0 : 120,
        onStart: () => {
          dragging = true;
        },
        onEnd: (event) => {
          dragging = false;
          if (event.oldIndex === event.newIndex) return;
          const slug = slugOf(list);
          const order = [...list.querySelectorAll(":scope > li[data-id]")].map((li) =>
            li.dataset.id
          );
          htmx.ajax("POST", list.dataset.sortUrl, {
            source: list,
            target: `#${slug}-undo`,
            swap: "innerHTML",
            values: { order: order.join(",") },
          });
        },
      });
    }
  }
  document.addEventListener("DOMContentLoaded", () => {
    initSortables(document);
    restoreSelection(document);
  });
})();
