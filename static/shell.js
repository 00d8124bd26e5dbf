// Cardflow's shell glue: the menu and chat drawers of narrow screens, and keeping the person's
// place in a workflow run (the next form or Finalize gets the focus after a step is submitted,
// and the newest card or a job's progress is scrolled into view).
(() => {
  "use strict";

  // ---- Drawers (below 900 px the menu and the chat fold away behind two buttons) -----------------
  const drawers = { "menu-toggle": "menu-open", "chat-toggle": "chat-open" };
  function setDrawer(button, open) {
    const cls = drawers[button.id];
    document.body.classList.toggle(cls, open);
    button.setAttribute("aria-expanded", String(open));
  }
  function closeDrawers(except) {
    for (const id of Object.keys(drawers)) {
      const button = document.getElementById(id);
      if (button && button !== except) setDrawer(button, false);
    }
  }
  document.addEventListener("click", (event) => {
    const button = event.target.closest && event.target.closest(".drawer-toggle");
    if (button && drawers[button.id]) {
      const open = button.getAttribute("aria-expanded") !== "true";
      closeDrawers(button);
      setDrawer(button, open);
      if (open) {
        const panel = document.getElementById(button.getAttribute("aria-controls"));
        panel?.querySelector("a, button, textarea, input, select")?.focus();
      }
      return;
    }
    const close = event.target.closest && event.target.closest("[data-close]");
    if (close) {
      const toggle = document.getElementById(close.dataset.close);
      if (toggle) {
        setDrawer(toggle, false);
        toggle.focus();
      }
      return;
    }
    // Following a menu link closes the menu drawer.
    if (event.target.closest && event.target.closest("#app-menu a")) closeDrawers();
  });
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    for (const [id, cls] of Object.entries(drawers)) {
      if (!document.body.classList.contains(cls)) continue;
      const button = document.getElementById(id);
      setDrawer(button, false);
      button.focus();
    }
  });

  // ---- Keeping the place in a workflow run -------------------------------------------------------
  // A submit redraws the run as a chain of placeholders that load one by one; once the chain has
  // loaded, the step that now needs the person gets the focus and is scrolled into view.
  let pending = false;
  const inRun = (el) => el && el.closest && el.closest("#run");
  document.addEventListener("htmx:before:request", (event) => {
    const ctx = event.detail.ctx || {};
    const source = ctx.sourceElement;
    const target = ctx.target;
    const method = (ctx.request?.method || "GET").toUpperCase();
    // A submit, revert or finalize in the run; the progress stream and the placeholders' own
    // loads are not the person moving on.
    if ((method !== "GET" && inRun(source)) || target?.id === "run") pending = true;
  });
  // While the chain reloads, the page keeps its height, so it does not jump to the top and back.
  document.addEventListener("htmx:before:swap", (event) => {
    const target = event.detail.ctx && event.detail.ctx.target;
    const main = document.getElementById("main");
    if (target instanceof Element && target.id === "run" && main) {
      main.style.minHeight = `${main.offsetHeight}px`;
    }
  });
  // A run opened from its landing card or a link: its current step is where the person goes.
  document.addEventListener("htmx:after:swap", (event) => {
    const target = event.detail.ctx && event.detail.ctx.target;
    if (target instanceof Element && target.id === "main" && target.querySelector("#run")) {
      pending = true;
    }
  });

  function settle() {
    const run = document.getElementById("run");
    // Not yet: the chain is still loading, or the person already sent the next step.
    if (!run || run.querySelector(".placeholder, form.htmx-request, .htmx-request > form")) return;
    document.getElementById("main")?.style.removeProperty("min-height");
    if (!pending) return;
    pending = false;
    const form = run.querySelector(".step.form form");
    const job = run.querySelector(".step.job");
    const finish = run.querySelector("#step-finish");
    const card = form ? form.closest(".step") : job || finish;
    const done = [...run.querySelectorAll(".step.done")].pop();
    const focusable = form
      ? form.querySelector("input:not([type=hidden]), textarea, select, button")
      : (job || finish)?.querySelector("button, a[href], input:not([type=hidden])");
    // The newest card and the next step both in view when they fit; the next step at least.
    (done || card)?.scrollIntoView({ block: "nearest" });
    card?.scrollIntoView({ block: "nearest" });
    if (focusable && document.activeElement !== focusable) focusable.focus({ preventScroll: true });
  }
  document.addEventListener("htmx:after:settle", settle);
  document.addEventListener("DOMContentLoaded", () => {
    if (document.getElementById("run")) pending = true;
  });
})();
