// Cardflow's page glue: the little that htmx attributes cannot say.
(() => {
  "use strict";
  // The context this page was rendered for (database and profile); every write carries it back.
  const context = () => document.body.dataset.context || "";
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

  // htmx sends hx-headers with requests but not with WebSocket frames: the chat needs the context too.
  document.addEventListener("htmx:ws:before:message:outgoing", (event) => {
    const message = event.detail && event.detail.message;
    if (message) message.headers = { ...message.headers, "X-Cardflow-Context": context() };
  });

  // Buttons that reload the page (offered when the page no longer matches the data).
  document.addEventListener("click", (event) => {
    if (event.target.closest && event.target.closest('[data-action="reload"]')) location.reload();
  });

  // Another tab switched the database or the profile: this page shows the old one, say so.
  const stale = (text) => {
    let bar = document.getElementById("stale");
    if (!bar) {
      bar = document.createElement("div");
      bar.id = "stale";
      bar.className = "notice error stale";
      bar.setAttribute("role", "alert");
      document.body.prepend(bar);
    }
    const words = document.createElement("span");
    words.textContent = `${text} This page still shows what was there before, ` +
      "so nothing you do here is saved.";
    const button = document.createElement("button");
    button.type = "button";
    button.dataset.action = "reload";
    button.textContent = "Reload";
    bar.replaceChildren(words, " ", button);
  };
  document.addEventListener("context:changed", (event) => {
    let news;
    try {
      news = JSON.parse(event.detail.data);
    } catch {
      return;
    }
    if (news.stamp !== context()) stale(news.text);
  });

  // The chat socket of a database that went away (a switch, a reset, a restore) closes with
  // code 1012 and the reason, which this page shows; htmx then reconnects. htmx's own
  // htmx:ws:close event carries the code but not the reason, so listen on the socket itself.
  document.addEventListener("htmx:ws:after:connection", (event) => {
    const socket = event.detail && event.detail.connection && event.detail.connection.socket;
    if (!socket) return;
    socket.addEventListener("close", (closed) => {
      if (closed.code !== 1012) return;
      const log = document.getElementById("chat-log");
      if (!log) return;
      const note = document.createElement("div");
      note.className = "msg msg-error chat-closed";
      note.setAttribute("role", "status");
      note.textContent = `${closed.reason || "Cardflow changed its database."} ` +
        "Reload the page to chat about what it shows.";
      log.append(note);
    }, { once: true });
  });

  // Dismiss the flash with Escape.
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") document.getElementById("flash")?.replaceChildren();
  });

  // Drag-and-drop sorting lives with the rest of the list glue, in lists.js.

  // Ctrl+K (or Cmd+K): search the apps.
  const search = () => document.getElementById("app-search");
  const visibleLinks = () => [...search().querySelectorAll("li:not([hidden]) a")];
  document.addEventListener("keydown", (event) => {
    const dialog = search();
    if (!dialog) return;
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "k") {
      event.preventDefault();
      const input = dialog.querySelector("input");
      input.value = "";
      const items = [...dialog.querySelectorAll("li")];
      items.sort((a, b) =>
        Number(a.firstElementChild?.dataset.order ?? 0) -
        Number(b.firstElementChild?.dataset.order ?? 0)
      );
      for (const li of items) {
        li.hidden = false;
        li.parentElement.append(li);
      }
      dialog.showModal();
      input.focus();
      return;
    }
    if (!dialog.open) return;
    const links = visibleLinks();
    const at = links.indexOf(document.activeElement);
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const next = event.key === "ArrowDown"
        ? Math.min(at + 1, links.length - 1)
        : Math.max(at - 1, -1);
      (next === -1 ? dialog.querySelector("input") : links[next])?.focus();
    } else if (event.key === "Enter" && document.activeElement === dialog.querySelector("input")) {
      event.preventDefault();
      if (links[0]) location.href = links[0].href;
    }
  });
  // Titles outrank descriptions: an app whose title has every word comes before one that only
  // mentions them; within a rank the menu's order stays.
  document.addEventListener("input", (event) => {
    const dialog = search();
    if (!dialog || event.target !== dialog.querySelector("input")) return;
    const words = event.target.value.toLowerCase().split(/\s+/).filter(Boolean);
    const list = dialog.querySelector("ul");
    const ranked = [...dialog.querySelectorAll("a[data-search]")].map((a, i) => {
      const order = Number(a.dataset.order ?? (a.dataset.order = String(i)));
      const inTitle = words.every((w) => (a.dataset.title || "").includes(w));
      const anywhere = words.every((w) => a.dataset.search.includes(w));
      return { li: a.parentElement, rank: inTitle ? 0 : anywhere ? 1 : 2, order };
    }).sort((x, y) => x.rank - y.rank || x.order - y.order);
    for (const { li, rank } of ranked) {
      li.hidden = rank === 2;
      list.append(li);
    }
  });
})();
// Chat: Enter sends, Shift+Enter breaks the line; the box empties once sent; the log follows new text.
(() => {
  // Copy a message as it was written, or a block of code, to the clipboard.
  document.addEventListener("click", async (event) => {
    const button = event.target.closest && event.target.closest("[data-copy]");
    if (!button) return;
    let text = "";
    if (button.dataset.copy === "code") {
      text = button.closest(".code-block")?.querySelector("code")?.textContent ?? "";
    } else {
      const raw = button.closest(".msg")?.querySelector("template.raw");
      text = raw ? raw.content.textContent : "";
    }
    let copied = false;
    try {
      await navigator.clipboard.writeText(text);
      copied = true;
    } catch {
      // No clipboard permission (an insecure origin, a headless browser): select the code instead.
      const code = button.dataset.copy === "code" &&
        button.closest(".code-block")?.querySelector("code");
      if (code) {
        const range = document.createRange();
        range.selectNodeContents(code);
        getSelection().removeAllRanges();
        getSelection().addRange(range);
      }
      button.textContent = code ? "Selected: press Ctrl+C" : "Copy failed";
    }
    if (copied) button.textContent = "Copied";
    setTimeout(() => (button.textContent = "Copy"), 2000);
  });
  document.addEventListener("keydown", (event) => {
    const box = event.target;
    if (!(box instanceof HTMLTextAreaElement) || !box.closest("#chat-form")) return;
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      box.form.requestSubmit();
    }
  });
  document.addEventListener("htmx:ws:after:message:outgoing", (event) => {
    const form = document.getElementById("chat-form");
    if (form && form.contains(event.target)) form.querySelector("textarea").value = "";
  });
  document.addEventListener("htmx:ws:after:message:incoming", () => {
    const log = document.getElementById("chat-log");
    if (log) log.scrollTop = log.scrollHeight;
  });
})();
