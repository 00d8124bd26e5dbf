/**
 * @module
 * A small web site served by a test on loopback, for the site inspector: a
 * home page linking to good pages, a 404, a 500, a slow page, a huge page, a
 * JSON file and a redirect loop, plus `/many/N`, an endless tree of slow
 * pages for cancelling a crawl. It records every request it gets.
 */

/** One request the site got. */
export interface Hit {
  path: string;
  at: number;
}

/** The running site; `await using` (or `close()`) shuts it down. */
export interface TestSite {
  origin: string;
  /** `127.0.0.1:PORT`, for `--allow-net-host`. */
  host: string;
  hits: Hit[];
  /** Requests being answered now. */
  open(): number;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

function page(title: string, body: string, description = ""): Response {
  const meta = description ? `<meta name="description" content="${description}">` : "";
  return new Response(
    `<!doctype html><html><head><title>${title}</title>${meta}</head><body>${body}</body></html>`,
    { headers: { "content-type": "text/html; charset=utf-8" } },
  );
}

/** Wait `ms`, or until `signal` aborts (the client gave up). */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}

/** Start the site on a free loopback port. */
export function startTestSite(options: { slowMs?: number; manyMs?: number } = {}): TestSite {
  const hits: Hit[] = [];
  let open = 0;
  const slowMs = options.slowMs ?? 5_000;
  const manyMs = options.manyMs ?? 150;
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    async function site(request) {
      const url = new URL(request.url);
      hits.push({ path: url.pathname, at: Date.now() });
      open++;
      try {
        return await answer(url, request.signal);
      } finally {
        open--;
      }
    },
  );

  async function answer(url: URL, signal: AbortSignal): Promise<Response> {
    const path = url.pathname;
    switch (path) {
      case "/":
        return page(
          "Home & welcome",
          `<h1>Welcome</h1><p>The home page of a small test site.</p>
           <a href="/about">About</a> <a href="/about#team">Team</a> <a href="/contact">Contact</a>
           <a href="/missing">Missing</a> <a href="/error">Error</a> <a href="/slow">Slow</a>
           <a href="/huge">Huge</a> <a href="/data.json">Data</a> <a href="/loop-a">Loop</a>
           <a href="mailto:someone@example.com">Mail</a> <a href="http://elsewhere.invalid/">Away</a>
           <script>var words = "not counted";</script>`,
          "A &quot;small&quot; test site",
        );
      case "/about":
        return page(
          "About us",
          "<p>We test things.</p><p>Ten<br>eleven</p><a href='/'>Home</a>",
          "About",
        );
      case "/contact":
        return page(
          "Contact",
          "<p>Write to us.</p><a href='/'>Home</a><a href='/missing'>Gone</a>",
        );
      case "/error":
        return new Response("boom", { status: 500, headers: { "content-type": "text/plain" } });
      case "/slow":
        await pause(slowMs, signal);
        return page("Slow", "<p>Finally.</p>");
      case "/huge":
        return page("Huge", "<p>" + "word ".repeat(700_000) + "</p>");
      case "/data.json":
        return Response.json({ hello: "world" });
      case "/loop-a":
        return new Response(null, { status: 302, headers: { location: "/loop-b" } });
      case "/loop-b":
        return new Response(null, { status: 302, headers: { location: "/loop-a" } });
    }
    const many = /^\/many\/(\d+)$/.exec(path);
    if (many) {
      await pause(manyMs, signal);
      const n = Number(many[1]);
      const links = [1, 2, 3, 4, 5].map((i) =>
        `<a href="/many/${n * 5 + i}">page ${n * 5 + i}</a>`
      );
      return page(`Page ${n}`, `<p>Page number ${n}.</p>${links.join(" ")}`);
    }
    return new Response("<h1>Not found</h1>", {
      status: 404,
      headers: { "content-type": "text/html" },
    });
  }

  const port = server.addr.port;
  const close = () => server.shutdown();
  return {
    origin: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    hits,
    open: () => open,
    close,
    [Symbol.asyncDispose]: close,
  };
}
