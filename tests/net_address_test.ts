/**
 * Address checks of `lib/net.ts`, no request made: which addresses are
 * private, which hosts a pattern allows, which patterns are refused, how URL
 * parsing normalizes an address, and how each failure is said.
 */
import assert from "node:assert/strict";
import {
  createNetFetch,
  describeNetError,
  hostAllowed,
  isHostPattern,
  isPrivateAddress,
  NetError,
  type NetErrorKind,
} from "@/lib/net.ts";

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

Deno.test("URL parsing turns decimal, octal and hex IPv4 into the dotted form the checks see", () => {
  for (const host of ["2130706433", "0x7f.0.0.1", "0177.0.0.1", "127.1", "%31%32%37.0.0.1"]) {
    assert.equal(new URL(`http://${host}/`).hostname, "127.0.0.1", host);
  }
  assert.equal(new URL("http://0/").hostname, "0.0.0.0");
  assert.equal(new URL("http://[::ffff:127.0.0.1]/").hostname, "[::ffff:7f00:1]");
  assert.equal(new URL("http://bücher.de./").hostname, "xn--bcher-kva.de.");
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
