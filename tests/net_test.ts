import assert from "node:assert/strict";
import {
  createNetFetch,
  describeNetError,
  hostAllowed,
  isHostPattern,
  isPrivateAddress,
  NetError,
  type NetErrorKind,
  type NetPolicy,
} from "@/lib/net.ts";

interface Seen {
  method: string;
  path: string;
  body: string;
  authorization: string | null;
  userAgent: string | null;
}

/** A loopback server that records every request it gets; `await using` shuts it down. */
function serve(handler: (request: Request, url: URL) => Response | Promise<Response>) {
  const seen: Seen[] = [];
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    async function record(request) {
      const url = new URL(request.url);
      seen.push({
        method: request.method,
        path: url.pathname,
        body: await request.text(),
        authorization: request.headers.get("authorization"),
        userAgent: request.headers.get("user-agent"),
      });
      return handler(request, url);
    },
  );
  const port = server.addr.port;
  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    seen,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

/** A policy that may reach one loopback port, as a test needs to. */
function loopback(port: number, more: Partial<NetPolicy> = {}): NetPolicy {
  return { hosts: [`127.0.0.1:${port}`], allowPrivate: true, ...more };
}

/** The NetError a call rejects with, checked for its kind. */
async function failure(call: Promise<unknown>, kind: NetErrorKind): Promise<NetError> {
  try {
    await call;
  } catch (error) {
    assert.ok(error instanceof NetError, `expected a NetError, got ${error}`);
    assert.equal(error.kind, kind, `${error.kind}: ${error.message}`);
    return error;
  }
  assert.fail(`expected a NetError of kind ${kind}, got a response`);
}

/** `promise`, or a plain Error after `ms`, so a broken deadline fails the test instead of hanging it. */
async function within<T>(ms: number, promise: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still waiting after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

function redirect(location: string, status = 302): Response {
  return new Response(null, { status, headers: { location } });
}

Deno.test("isPrivateAddress refuses every non-public address and passes public ones", () => {
  const cases: [string, boolean][] = [
    ...[
      "127.0.0.1",
      "127.255.255.254",
      "10.0.0.1",
      "172.16.0.1",
      "172.31.255.255",
      "192.168.1.1",
      "169.254.169.254",
      "100.64.0.1",
      "100.127.255.255",
      "0.0.0.0",
      "0.1.2.3",
      "224.0.0.1",
      "239.255.255.250",
      "240.0.0.1",
      "255.255.255.255",
      "192.0.2.1",
      "198.18.0.1",
      "203.0.113.9",
      "::1",
      "::",
      "0:0:0:0:0:0:0:1",
      "fd00::1",
      "fc00::1",
      "fe80::1",
      "fe80::1%eth0",
      "febf::1",
      "fec0::1",
      "ff02::1",
      "::ffff:127.0.0.1",
      "::ffff:7f00:1",
      "[::ffff:7f00:1]",
      "::FFFF:10.0.0.1",
      "::ffff:169.254.169.254",
      "::127.0.0.1",
      "64:ff9b::a9fe:a9fe",
      "2002:7f00:1::",
      "2001:db8::1",
      "2001::1",
      "100::1",
      "3fff::1",
    ].map((ip): [string, boolean] => [ip, true]),
    // Not an address at all: private, so a bad resolver answer fails closed.
    ...["", "localhost", "example.com", "1.2.3", "1.2.3.4.5", "256.1.1.1", "010.0.0.1"]
      .map((ip): [string, boolean] => [ip, true]),
    ...["2130706433", "1:2:3", "::1::", "12345::", "g::1", "1:2:3:4:5:6:7:8:9"]
      .map((ip): [string, boolean] => [ip, true]),
    ...[
      "8.8.8.8",
      "1.1.1.1",
      "93.184.215.14",
      "100.63.255.255",
      "100.128.0.0",
      "172.15.255.255",
      "172.32.0.1",
      "192.167.1.1",
      "169.253.0.1",
      "223.255.255.255",
      "2606:4700:4700::1111",
      "[2606:4700:4700::1111]",
      "2001:4860:4860::8888",
      "2a00:1450::1",
      "::ffff:8.8.8.8",
      "64:ff9b::808:808",
      "2002:808:808::1",
    ].map((ip): [string, boolean] => [ip, false]),
  ];
  for (const [ip, expected] of cases) assert.equal(isPrivateAddress(ip), expected, ip);
});

Deno.test("hostAllowed matches names, wildcard subdomains, ports, case, final dots and IDN", () => {
  const cases: [string, string[], boolean][] = [
    ["api.example.com", ["api.example.com"], true],
    ["API.Example.COM.", ["api.example.com"], true],
    ["api.example.com", ["API.EXAMPLE.COM."], true],
    ["example.com", ["*.example.com"], false],
    ["a.example.com", ["*.example.com"], true],
    ["a.b.example.com", ["*.example.com"], true],
    ["badexample.com", ["*.example.com"], false],
    ["example.com.evil.net", ["example.com"], false],
    ["notexample.com", ["example.com"], false],
    ["a.example.com", ["example.com"], false],
    ["evil.net", ["*"], false],
    ["evil.net", [], false],
    ["user@example.com", ["example.com"], false],
    ["api.example.com:8443", ["api.example.com"], true],
    ["api.example.com:8443", ["api.example.com:443"], false],
    ["api.example.com:443", ["api.example.com:443"], true],
    ["api.example.com", ["api.example.com:443"], false],
    ["a.example.com:8080", ["*.example.com:8080"], true],
    ["a.example.com:8081", ["*.example.com:8080"], false],
    ["127.0.0.1:8080", ["127.0.0.1:8080"], true],
    ["127.0.0.1:8081", ["127.0.0.1:8080"], false],
    ["127.0.0.1", ["*.0.0.1"], false],
    ["2130706433", ["127.0.0.1"], true],
    ["[::1]:8080", ["[::1]"], true],
    ["[::1]", ["::1"], true],
    ["[0:0:0:0:0:0:0:1]", ["[::1]:80"], false],
    ["[0:0:0:0:0:0:0:1]:80", ["[::1]:80"], true],
    ["[::ffff:127.0.0.1]", ["[::ffff:7f00:1]"], true],
    ["xn--bcher-kva.de", ["bücher.de"], true],
    ["bücher.de", ["xn--bcher-kva.de"], true],
    ["shop.bücher.de", ["*.xn--bcher-kva.de"], true],
  ];
  for (const [host, patterns, expected] of cases) {
    assert.equal(hostAllowed(host, patterns), expected, `${host} vs ${patterns.join(",")}`);
  }
});

Deno.test("a bad host pattern is refused when the fetch is created", () => {
  for (const pattern of ["*", "", "http://x.com", "x.com/path", "x.com:99999", "*.127.0.0.1"]) {
    assert.equal(isHostPattern(pattern), false, pattern);
    assert.throws(() => createNetFetch({ hosts: [pattern] }), TypeError, pattern);
  }
});

Deno.test("a host off the allow-list never gets a request", async () => {
  await using server = serve(() => new Response("hello"));
  const refusing = [
    { hosts: ["example.com"] },
    { hosts: ["127.0.0.1:1"], allowPrivate: true },
    { hosts: ["127.0.0.2"], allowPrivate: true },
  ];
  for (const policy of refusing) {
    const error = await failure(createNetFetch(policy)(`${server.origin}/`), "not-allowed");
    assert.equal(error.url, `${server.origin}/`);
  }
  await failure(
    createNetFetch({ hosts: ["127.0.0.1"], allowPrivate: true })(
      `http://localhost:${server.port}/`,
    ),
    "not-allowed",
  );
  assert.equal(server.seen.length, 0);
});

Deno.test("only http and https URLs without credentials are fetched", async () => {
  await using server = serve(() => new Response("hello"));
  const netFetch = createNetFetch(loopback(server.port));
  const bad = [
    "ftp://127.0.0.1/",
    "file:///etc/passwd",
    "data:text/plain,hi",
    "javascript:alert(1)",
    "not a url",
    `http://user:secret@127.0.0.1:${server.port}/`,
    `http://user@127.0.0.1:${server.port}/`,
  ];
  for (const url of bad) {
    const error = await failure(netFetch(url), "bad-url");
    assert.ok(!error.url.includes("secret") && !error.url.includes("user@"), error.url);
  }
  assert.equal(server.seen.length, 0);
  assert.equal((await netFetch(`${server.origin}/`)).text(), "hello");
});

Deno.test("a loopback address is reached only with allowPrivate and a pattern naming it", async () => {
  await using server = serve(() => new Response("hello"));
  const path = `:${server.port}/`;
  const refused: [NetPolicy, string][] = [
    [{ hosts: ["127.0.0.1"] }, `http://127.0.0.1${path}`],
    [{ hosts: ["127.0.0.1"], allowPrivate: false }, `http://2130706433${path}`],
    [{ hosts: ["localhost"] }, `http://localhost${path}`],
    [{ hosts: ["[::ffff:127.0.0.1]"] }, `http://[::ffff:127.0.0.1]${path}`],
    [{ hosts: ["*.localhost"], allowPrivate: true }, `http://app.localhost${path}`],
  ];
  for (const [policy, url] of refused) {
    await failure(createNetFetch(policy)(url), "private-address");
  }
  assert.equal(server.seen.length, 0);
  const allowed: [NetPolicy, string][] = [
    [{ hosts: ["127.0.0.1"], allowPrivate: true }, `http://127.0.0.1${path}`],
    [{ hosts: ["localhost"], allowPrivate: true }, `http://localhost${path}`],
    [{ hosts: ["127.0.0.1"], allowPrivate: true }, `http://2130706433${path}`],
    [{ hosts: ["127.0.0.1"], allowPrivate: true }, `http://0x7f.0.0.1${path}`],
    [{ hosts: ["127.0.0.1"], allowPrivate: true }, `http://0177.0.0.1${path}`],
  ];
  for (const [policy, url] of allowed) {
    assert.equal((await createNetFetch(policy)(url)).text(), "hello", url);
  }
  assert.equal(server.seen.length, allowed.length);
});

Deno.test("URL parsing turns decimal, octal and hex IPv4 into the dotted form the checks see", () => {
  for (const host of ["2130706433", "0x7f.0.0.1", "0177.0.0.1", "127.1", "%31%32%37.0.0.1"]) {
    assert.equal(new URL(`http://${host}/`).hostname, "127.0.0.1", host);
  }
  assert.equal(new URL("http://0/").hostname, "0.0.0.0");
  assert.equal(new URL("http://[::ffff:127.0.0.1]/").hostname, "[::ffff:7f00:1]");
  assert.equal(new URL("http://bücher.de./").hostname, "xn--bcher-kva.de.");
});

Deno.test("a public name that resolves to a private address is refused", async () => {
  const answers: Record<string, string[]> = {
    "rebind.example.com": ["127.0.0.1"],
    "mixed.example.com": ["93.184.215.14", "10.1.2.3"],
    "mapped.example.com": ["::ffff:169.254.169.254"],
    "garbage.example.com": ["not-an-address"],
  };
  const resolve = (host: string) => Promise.resolve(answers[host] ?? []);
  for (const host of Object.keys(answers)) {
    const exact = createNetFetch({ hosts: [host], resolve });
    await failure(exact(`http://${host}/`), "private-address");
    const wildcard = createNetFetch({ hosts: ["*.example.com"], allowPrivate: true, resolve });
    await failure(wildcard(`http://${host}/`), "private-address");
  }
});

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

Deno.test("a redirect to a host off the allow-list is refused before connecting", async () => {
  await using other = serve(() => new Response("should not be reached"));
  await using server = serve((_request, url) =>
    redirect(
      url.pathname === "/decimal"
        ? `http://2130706433:${other.port}/`
        : url.pathname === "/evil"
        ? "https://evil.example.net/steal"
        : `${other.origin}/`,
    )
  );
  const netFetch = createNetFetch(loopback(server.port));
  const error = await failure(netFetch(`${server.origin}/`), "not-allowed");
  assert.equal(error.url, `${other.origin}/`);
  await failure(netFetch(`${server.origin}/decimal`), "not-allowed");
  await failure(netFetch(`${server.origin}/evil`), "not-allowed");
  assert.equal(other.seen.length, 0);
});

Deno.test("a redirect to a private address is refused", async () => {
  await using server = serve((_request, url) =>
    redirect(
      url.pathname === "/ip" ? "http://[::ffff:a9fe:a9fe]/" : "http://metadata.example/latest",
    )
  );
  const resolve = () => Promise.resolve(["169.254.169.254"]);
  const policy = {
    hosts: [`127.0.0.1:${server.port}`, "*.example", "[::ffff:a9fe:a9fe]"],
    resolve,
  };
  // allowPrivate covers the listed loopback server, not a wildcard name pointing inside.
  const netFetch = createNetFetch({ ...policy, allowPrivate: true });
  const error = await failure(netFetch(`${server.origin}/`), "private-address");
  assert.equal(error.url, "http://metadata.example/latest");
  const strict = createNetFetch({ ...policy, hosts: ["127.0.0.1", "[::ffff:a9fe:a9fe]"] });
  await failure(strict(`${server.origin}/ip`), "private-address");
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

Deno.test("describeNetError gives one sentence per kind, without query or credentials", () => {
  const dns = new NetError("dns", { url: "https://x.example/", message: "ENOTFOUND" });
  assert.equal(
    describeNetError(dns),
    "https://x.example/ could not be reached: the name does not resolve (DNS).",
  );
  const kinds: NetErrorKind[] = [
    "not-allowed",
    "private-address",
    "bad-url",
    "dns",
    "refused",
    "timeout",
    "status",
    "too-large",
    "redirects",
    "aborted",
    "network",
  ];
  const url = "https://me:pw@api.example.com/v1/items?key=SECRET#top";
  const sentences = new Set<string>();
  for (const kind of kinds) {
    const error = new NetError(kind, { url, message: "detail", status: 503 });
    assert.equal(error.url, "https://api.example.com/v1/items?key=SECRET#top");
    const sentence = describeNetError(error);
    assert.match(sentence, /https:\/\/api\.example\.com\/v1\/items.*\.$/, kind);
    assert.doesNotMatch(sentence, /SECRET|pw|detail/, kind);
    sentences.add(sentence);
  }
  assert.equal(sentences.size, kinds.length);
  assert.match(describeNetError(new NetError("status", { url, message: "", status: 503 })), /503/);
});

Deno.test("privateHosts lets a host named exactly be private without allowPrivate; a wildcard never does", async () => {
  await using site = serve(() => new Response("ok"));
  const named = createNetFetch({
    hosts: [`127.0.0.1:${site.port}`],
    privateHosts: [`127.0.0.1:${site.port}`],
  });
  assert.equal((await named(`${site.origin}/`)).text(), "ok");
  const unnamed = createNetFetch({ hosts: [`127.0.0.1:${site.port}`], privateHosts: [] });
  await failure(unnamed(`${site.origin}/`), "private-address");
  const wildcard = createNetFetch({
    hosts: ["*.localhost"],
    privateHosts: ["*.localhost"],
  });
  await failure(wildcard(`http://a.localhost:${site.port}/`), "private-address");
  assert.equal(site.seen.length, 1, "only the named host was reached");
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
