/**
 * Fetching through `lib/net.ts`: redirects followed hop by hop (methods,
 * bodies and credentials as browsers treat them), each network failure given
 * its kind (dns, refused, status, timeout, aborted, too-large), and bodies
 * decoded by their media type and charset.
 */
import assert from "node:assert/strict";
import { createNetFetch } from "@/lib/net.ts";
import { failure, loopback, redirect, serve, within } from "./helpers/net.ts";

Deno.test("a name that does not resolve gives kind dns", async () => {
  const notFound = () => Promise.reject(new Deno.errors.NotFound("no records found"));
  await failure(
    createNetFetch({ hosts: ["nothing.invalid"], resolve: notFound })("http://nothing.invalid/"),
    "dns",
  );
  const empty = () => Promise.resolve([]);
  await failure(
    createNetFetch({ hosts: ["nothing.invalid"], resolve: empty })("http://nothing.invalid/"),
    "dns",
  );
  // The default resolver (getaddrinfo) and fetch's own lookup, behind a resolver that lies.
  await failure(createNetFetch({ hosts: ["nothing.invalid"] })("http://nothing.invalid/"), "dns");
  const lying = () => Promise.resolve(["93.184.215.14"]);
  await failure(
    createNetFetch({ hosts: ["nothing.invalid"], resolve: lying })("http://nothing.invalid/"),
    "dns",
  );
});

Deno.test("a closed port gives kind refused", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  await failure(createNetFetch(loopback(port))(`http://127.0.0.1:${port}/`), "refused");
});

Deno.test("a redirect chain is followed hop by hop, relative locations included", async () => {
  await using server = serve((_request, url) => {
    const step = Number(url.pathname.split("/")[2] ?? 0);
    if (url.pathname === "/a/b/start") return redirect("../../hop/3");
    if (url.pathname.startsWith("/hop/") && step > 0) return redirect(String(step - 1), 301);
    return new Response(`arrived at ${url.pathname}`);
  });
  const response = await createNetFetch(loopback(server.port))(`${server.origin}/a/b/start`);
  assert.equal(response.text(), "arrived at /hop/0");
  assert.equal(response.url, `${server.origin}/hop/0`);
  assert.deepEqual(response.redirects, [
    `${server.origin}/a/b/start`,
    `${server.origin}/hop/3`,
    `${server.origin}/hop/2`,
    `${server.origin}/hop/1`,
  ]);
  assert.equal(server.seen.length, 5);
});

Deno.test("a redirect loop, or one hop too many, stops with kind redirects", async () => {
  await using server = serve((_request, url) => {
    if (url.pathname === "/loop") return redirect("/loop", 307);
    const left = Number(url.pathname.slice(1));
    return left > 0 ? redirect(`/${left - 1}`) : new Response("done");
  });
  const loop = await failure(
    createNetFetch(loopback(server.port))(`${server.origin}/loop`),
    "redirects",
  );
  assert.equal(loop.url, `${server.origin}/loop`);
  assert.equal(server.seen.length, 6, "the first request and five redirects");
  const twice = createNetFetch(loopback(server.port, { maxRedirects: 2 }));
  assert.equal((await twice(`${server.origin}/2`)).text(), "done");
  await failure(twice(`${server.origin}/3`), "redirects");
});

Deno.test("303, and 301 or 302 after a POST, continue as a GET without body; 307 keeps it", async () => {
  await using server = serve((request, url) => {
    const status = Number(url.pathname.slice(1));
    if (status >= 300) return redirect("/echo", status);
    return new Response(request.method);
  });
  const netFetch = createNetFetch(loopback(server.port));
  const post = { method: "POST", body: "form=1", headers: { "content-type": "text/plain" } };
  for (const [status, method] of [[303, "GET"], [301, "GET"], [302, "GET"], [307, "POST"]]) {
    server.seen.length = 0;
    const response = await netFetch(`${server.origin}/${status}`, post);
    assert.equal(response.text(), method, String(status));
    assert.equal(server.seen[1]?.body, method === "POST" ? "form=1" : "", String(status));
  }
  const put = await netFetch(`${server.origin}/303`, { method: "PUT", body: "x" });
  assert.equal(put.text(), "GET");
  assert.equal(
    (await netFetch(`${server.origin}/308`, { method: "PUT", body: "x" })).text(),
    "PUT",
  );
});

Deno.test("credentials headers are dropped when a redirect changes origin", async () => {
  await using other = serve(() => new Response("other"));
  await using server = serve((_request, url) =>
    url.pathname === "/away"
      ? redirect(`${other.origin}/`)
      : url.pathname === "/here"
      ? redirect("/end")
      : new Response("end")
  );
  const netFetch = createNetFetch({
    hosts: [`127.0.0.1:${server.port}`, `127.0.0.1:${other.port}`],
    allowPrivate: true,
  });
  const headers = { authorization: "Bearer t0ken" };
  await netFetch(`${server.origin}/here`, { headers });
  assert.equal(server.seen[1]?.authorization, "Bearer t0ken", "same origin keeps it");
  await netFetch(`${server.origin}/away`, { headers });
  assert.equal(other.seen[0]?.authorization, null);
  assert.equal(server.seen[0]?.userAgent, "Cardflow");
});

Deno.test("a 500 is returned by default and is kind status with accept 2xx", async () => {
  await using server = serve(() => new Response("broken", { status: 500 }));
  const netFetch = createNetFetch(loopback(server.port));
  const response = await netFetch(`${server.origin}/`);
  assert.equal(response.status, 500);
  assert.equal(response.ok, false);
  assert.equal(response.text(), "broken");
  const error = await failure(netFetch(`${server.origin}/`, { accept: "2xx" }), "status");
  assert.equal(error.status, 500);
  assert.match(error.message, /500 Internal Server Error/);
});

Deno.test("the deadline covers the name lookup, the wait for headers and the body", async () => {
  const release = Promise.withResolvers<void>();
  await using server = serve(async (_request, url) => {
    if (url.pathname === "/headers") {
      await release.promise;
      return new Response("late");
    }
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(new TextEncoder().encode("first part, "));
        await release.promise;
        controller.close();
      },
    });
    return new Response(body);
  });
  try {
    const netFetch = createNetFetch(loopback(server.port, { timeoutMs: 300 }));
    const started = Date.now();
    await failure(within(2000, netFetch(`${server.origin}/headers`)), "timeout");
    await failure(within(2000, netFetch(`${server.origin}/body`)), "timeout");
    const slowDns = () => new Promise<string[]>(() => {});
    const stuck = createNetFetch({ hosts: ["slow.example"], resolve: slowDns, timeoutMs: 300 });
    await failure(within(2000, stuck("http://slow.example/")), "timeout");
    assert.ok(Date.now() - started < 3000);
  } finally {
    release.resolve();
  }
});

Deno.test("a caller's abort gives kind aborted, before or during the request", async () => {
  const release = Promise.withResolvers<void>();
  await using server = serve(async () => {
    await release.promise;
    return new Response("late");
  });
  try {
    const netFetch = createNetFetch(loopback(server.port));
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("user pressed stop")), 100);
    await failure(netFetch(`${server.origin}/`, { signal: controller.signal }), "aborted");
    await failure(netFetch(`${server.origin}/`, { signal: AbortSignal.abort() }), "aborted");
  } finally {
    release.resolve();
  }
});

Deno.test("a huge streamed body is cut at maxBytes without reading it all", async () => {
  const total = 20 * 1024 * 1024;
  const chunk = new Uint8Array(64 * 1024).fill(120);
  let sent = 0;
  await using server = serve(() =>
    new Response(
      new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent >= total) return controller.close();
          controller.enqueue(chunk);
          sent += chunk.byteLength;
        },
      }),
    )
  );
  const maxBytes = 1024 * 1024;
  const netFetch = createNetFetch(loopback(server.port, { maxBytes }));
  await failure(netFetch(`${server.origin}/`), "too-large");
  assert.ok(sent < total / 2, `the server sent ${sent} bytes`);
});

Deno.test("a Content-Length over the cap is refused before the body arrives", async () => {
  // A raw server that promises 100 MB and sends three bytes: reading would wait forever.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const answered = (async () => {
    using connection = await listener.accept();
    await connection.read(new Uint8Array(4096));
    await connection.write(
      new TextEncoder().encode("HTTP/1.1 200 OK\r\nContent-Length: 100000000\r\n\r\nabc"),
    );
    await connection.read(new Uint8Array(16)).catch(() => null);
  })();
  try {
    const port = listener.addr.port;
    const netFetch = createNetFetch(loopback(port, { maxBytes: 1000, timeoutMs: 2000 }));
    const error = await failure(netFetch(`http://127.0.0.1:${port}/`), "too-large");
    assert.match(error.message, /Content-Length/);
  } finally {
    listener.close();
    await answered;
  }
});

Deno.test("a non-HTML response keeps its bytes and media type", async () => {
  const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 255]);
  await using server = serve((_request, url) =>
    url.pathname === "/data.json"
      ? Response.json({ name: "café", items: [1, 2] })
      : new Response(png, { headers: { "content-type": "image/PNG; foo=bar" } })
  );
  const netFetch = createNetFetch(loopback(server.port));
  const json = await netFetch(`${server.origin}/data.json`);
  assert.equal(json.contentType, "application/json");
  assert.deepEqual(json.json(), { name: "café", items: [1, 2] });
  const image = await netFetch(`${server.origin}/logo.png`);
  assert.equal(image.contentType, "image/png");
  assert.deepEqual(image.bytes, png);
});

Deno.test("a page in iso-8859-1 is decoded with its charset", async () => {
  const latin1 = new Uint8Array([...new TextEncoder().encode("caf"), 0xe9, 0x20, 0xa3, 0x35]);
  await using server = serve((_request, url) =>
    new Response(latin1, {
      headers: {
        "content-type": url.pathname === "/latin"
          ? 'text/html; charset="ISO-8859-1"'
          : "text/html; charset=no-such-charset",
      },
    })
  );
  const netFetch = createNetFetch(loopback(server.port));
  const page = await netFetch(`${server.origin}/latin`);
  assert.equal(page.contentType, "text/html");
  assert.equal(page.text(), "café £5");
  assert.equal((await netFetch(`${server.origin}/unknown`)).text(), "caf\ufffd \ufffd5");
});

Deno.test("a request may shorten the policy's deadline and body cap, never lengthen them", async () => {
  await using site = serve(async (_request, url) => {
    if (url.pathname === "/slow") await new Promise((r) => setTimeout(r, 400));
    return new Response("x".repeat(1000));
  });
  const fetch = createNetFetch(loopback(site.port, { timeoutMs: 5_000, maxBytes: 2_000 }));
  await failure(within(3_000, fetch(`${site.origin}/slow`, { timeoutMs: 50 })), "timeout");
  await failure(fetch(`${site.origin}/big`, { maxBytes: 500 }), "too-large");
  assert.equal((await fetch(`${site.origin}/big`, { maxBytes: 1_000_000 })).bytes.length, 1000);
  const capped = createNetFetch(loopback(site.port, { maxBytes: 500 }));
  await failure(capped(`${site.origin}/big`, { maxBytes: 1_000_000 }), "too-large");
});
