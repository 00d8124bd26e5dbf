// Cardflow's page glue: the little that htmx attributes cannot say.
(() => {
  "use strict";
  const flash = (text) => {
    const box = document.getElementById("flash");
    if (!box) return;
    const note = document.createElement("div");
    note.className = "notice error";
    note.setAttribute("role", "alert");
    note.textContent = text; // never innerHTML: messages may carry user text
    box.replaceChildren(note);
  };

  // A request that never got an answer (server stopped, network gone).
  document.addEventListener("htmx:error", (event) => {
    const detail = event.detail || {};
    if (detail.ctx && detail.ctx.response) return; // HTTP errors render their own fragment
    flash("Cardflow did not answer. Is it still running?");
  });

  // Clear an old error once something succeeds.
  document.addEventListener("htmx:after:request", (event) => {
    const ctx = event.detail && event.detail.ctx;
    const box = document.getElementById("flash");
    if (box && ctx && ctx.response && ctx.response.status < 400 && ctx.target !== box) {
      box.replaceChildren();
    }
  });

  // Mark the current app in the menu after htmx navigation.
  const markMenu = () => {
    const path = location.pathname;
    for (const link of document.querySelectorAll("#app-menu a")) {
      const href = link.getAttribute("href");
      const here = href === path || path.startsWith(href + "/");
      if (here) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    }
  };
  document.addEventListener("htmx:after:swap", markMenu);
  window.addEventListener("popstate", markMenu);

  // Dismiss the flash with Escape.
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") document.getElementById("flash")?.replaceChildren();
  });
})();
