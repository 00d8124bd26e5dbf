/**
 * What `lib/net.ts` refuses to fetch, before any request reaches a host off
 * the list: hosts off the allow-list, other schemes and credentials in URLs,
 * private addresses (by name, by resolver answer, or by redirect) unless
 * named and allowed.
 */
import assert from "node:assert/strict";
import { createNetFetch, type NetPolicy } from "@/lib/net.ts";
import { failure, loopback, redirect, serve } from "./helpers/net.ts";

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
