// Cardflow's dev-mode page glue (served only under `deno task dev`): reload when the server
// restarts, show save errors over the page, swap the stylesheet when CSS changes.
(() => {
  "use strict";
  const boot = document.querySelector('meta[name="cardflow-boot"]')?.content;
  let polling = false;

  // After a restart the server has a new boot id: reload once it answers.
  const waitForNewServer = async () => {
    if (polling) return;
    polling = true;
    for (;;) {
      try {
        const res = await fetch("/dev/boot", { cache: "no-store" });
        if (res.ok && (await res.text()) !== boot) {
          location.reload();
          return;
        }
      } catch { /* restarting */ }
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  const overlay = (error) => {
    let box = document.getElementById("dev-overlay");
    if (!error) {
      box?.remove();
      return;
    }
    if (!box) {
      box = document.createElement("div");
      box.id = "dev-overlay";
      box.setAttribute("role", "alert");
      document.body.append(box);
    }
    const title = document.createElement("strong");
    title.textContent = `${error.file}:${error.line}`;
    const text = document.createElement("pre");
    text.textContent = error.message;
    const note = document.createElement("p");
    note.textContent = "The last good version is still running. Fix the file and save.";
    box.replaceChildren(title, text, note);
  };

  const data = (event) => {
    try {
      return JSON.parse(event.detail?.data ?? "null");
    } catch {
      return null;
    }
  };
  document.addEventListener("boot", (event) => {
    if (event.detail?.data && event.detail.data !== boot) location.reload();
  });
  document.addEventListener("dev:restarting", waitForNewServer);
  document.addEventListener("dev:reload", () => location.reload());
  document.addEventListener("dev:error", (event) => overlay(data(event)));
  document.addEventListener("dev:ok", () => overlay(null));
  document.addEventListener("dev:css", () => {
    for (const link of document.querySelectorAll('link[rel="stylesheet"]')) {
      const url = new URL(link.href);
      url.searchParams.set("t", String(Date.now()));
      link.href = url.toString();
    }
  });
  document.addEventListener("htmx:sse:error", waitForNewServer);
})();
