/**
 * @module
 * Host allow-list patterns and IP address classification for `lib/net.ts`.
 * Kept apart because both are pure string and number work, tested table by table.
 *
 * A pattern is a host with an optional port, like Deno's `--allow-net`:
 * `api.example.com` (any port), `api.example.com:8443`, `127.0.0.1`, `[::1]:8080`,
 * or `*.example.com` (subdomains at any depth, not `example.com` itself).
 */

/** How a host matched an allow-list: by an exact pattern, only by a wildcard, or not at all. */
export type HostMatch = "exact" | "wildcard" | "none";

/** IPv4 blocks that are not reachable on the public internet (IANA special-purpose registry). */
const NON_PUBLIC_V4: readonly (readonly [string, number])[] = [
  ["0.0.0.0", 8], // "this network"; 0.0.0.0 reaches the local host on Linux
  ["10.0.0.0", 8],
  ["100.64.0.0", 10], // carrier-grade NAT
  ["127.0.0.0", 8],
  ["169.254.0.0", 16], // link-local, home of cloud metadata services
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.88.99.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, including 255.255.255.255
];

/** An IPv4 address in strict dotted-decimal form as a 32-bit number; leading zeros refused. */
function parseIPv4(text: string): number | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part) || Number(part) > 255) return undefined;
    value = value * 256 + Number(part);
  }
  return value;
}

/** An IPv6 address (brackets and zone allowed) as eight 16-bit groups. */
function parseIPv6(text: string): number[] | undefined {
  let s = text.toLowerCase().replace(/^\[(.*)\]$/, "$1").replace(/%.*$/, "");
  const lastColon = s.lastIndexOf(":");
  if (lastColon === -1) return undefined;
  const tail = s.slice(lastColon + 1);
  if (tail.includes(".")) {
    const v4 = parseIPv4(tail);
    if (v4 === undefined) return undefined;
    s = `${s.slice(0, lastColon + 1)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const halves = s.split("::");
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(":") : [];
  const rest = halves[1] ? halves[1].split(":") : [];
  const missing = 8 - head.length - rest.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...head, ...Array<string>(halves.length === 1 ? 0 : missing).fill("0"), ...rest];
  if (!groups.every((group) => /^[0-9a-f]{1,4}$/.test(group))) return undefined;
  return groups.map((group) => parseInt(group, 16));
}

function isNonPublicV4(ip: number): boolean {
  return NON_PUBLIC_V4.some(([base, bits]) => {
    const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
    return ((ip & mask) >>> 0) === ((parseIPv4(base)! & mask) >>> 0);
  });
}

function isNonPublicV6(g: number[]): boolean {
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = g;
  const embedded = (g6 * 0x10000 + g7) >>> 0;
  const zeroHead = g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0;
  if (zeroHead && g5 === 0xffff) return isNonPublicV4(embedded); // ::ffff:a.b.c.d, v4-mapped
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) {
    return isNonPublicV4(embedded); // 64:ff9b::/96, NAT64 reaches the embedded address
  }
  // Only 2000::/3 is global unicast; the rest (::1, ::, fc00::/7, fe80::/10, ff00::/8,
  // v4-compatible ::/96, 64:ff9b:1::/48, 100::/64) is local, special or unassigned.
  if ((g0 & 0xe000) !== 0x2000) return true;
  if (g0 === 0x2002) return isNonPublicV4((g1 * 0x10000 + g2) >>> 0); // 6to4 embeds IPv4
  if (g0 === 0x2001 && (g1 < 0x200 || g1 === 0xdb8)) return true; // IETF, Teredo, docs
  return g0 === 0x3fff && g1 < 0x1000; // 3fff::/20, documentation
}

/** Whether `text` is an IPv4 or IPv6 literal (IPv6 with or without brackets). */
export function isIpLiteral(text: string): boolean {
  return parseIPv4(text) !== undefined || parseIPv6(text) !== undefined;
}

/**
 * Whether an IP address (v4, v6, v4-mapped v6 like `::ffff:127.0.0.1`) is loopback,
 * private, link-local, CGNAT, multicast, reserved or otherwise not public. Anything
 * that does not parse as an address counts as private, so callers fail closed.
 */
export function isPrivateAddress(ip: string): boolean {
  const v4 = parseIPv4(ip);
  if (v4 !== undefined) return isNonPublicV4(v4);
  const v6 = parseIPv6(ip);
  return v6 === undefined || isNonPublicV6(v6);
}

/** A host name as the URL parser writes it (lower case, punycode, canonical IP), no final dot. */
function canonicalName(name: string): string | undefined {
  if (name === "" || /[\s/?#@\\]/.test(name)) return undefined;
  const bracketed = !name.startsWith("[") && name.includes(":") ? `[${name}]` : name;
  try {
    const host = new URL(`http://${bracketed}/`).hostname.replace(/\.$/, "");
    // The URL parser lets through "*" and other symbols no DNS name contains.
    return /^[a-z0-9_-]+(\.[a-z0-9_-]+)*$|^\[[0-9a-f:.]+\]$/.test(host) ? host : undefined;
  } catch {
    return undefined;
  }
}

interface HostParts {
  wildcard: boolean;
  name: string;
  port?: string;
}

/** Split `name`, `name:port`, `[v6]:port`, bare `v6` or `*.name[:port]` into canonical parts. */
function parseHost(text: string): HostParts | undefined {
  const wildcard = text.startsWith("*.");
  const body = wildcard ? text.slice(2) : text;
  const v6 = /^(\[[^\]]*\])(?::(\d+))?$/.exec(body);
  const colons = body.split(":").length - 1;
  const [rawName, port] = v6 ? [v6[1]!, v6[2]] : colons === 1 ? body.split(":") : [body, undefined];
  if (port !== undefined && !(/^\d{1,5}$/.test(port) && Number(port) <= 65535)) return undefined;
  const name = canonicalName(rawName ?? "");
  if (name === undefined || (wildcard && isIpLiteral(name))) return undefined;
  return { wildcard, name, ...(port === undefined ? {} : { port: String(Number(port)) }) };
}

/** Whether `pattern` is a valid allow-list entry (see the module doc). */
export function isHostPattern(pattern: string): boolean {
  return parseHost(pattern) !== undefined;
}

/**
 * How `host` (`name` or `name:port`, as in `URL.host`) matches `patterns`: "exact" when a
 * non-wildcard pattern names it. A pattern with a port matches only a host given with
 * that port, so pass the port a URL omits (`lib/net.ts` always does).
 */
export function matchHost(host: string, patterns: readonly string[]): HostMatch {
  const target = parseHost(host);
  if (target === undefined || target.wildcard) return "none";
  let found: HostMatch = "none";
  for (const pattern of patterns) {
    const p = parseHost(pattern);
    if (p === undefined || (p.port !== undefined && p.port !== target.port)) continue;
    if (!p.wildcard && p.name === target.name) return "exact";
    if (p.wildcard && !isIpLiteral(target.name) && target.name.endsWith(`.${p.name}`)) {
      found = "wildcard";
    }
  }
  return found;
}

/**
 * Whether `host` (`name` or `name:port`) matches one of `patterns`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { hostAllowed } from "./net_address.ts";
 * assert.ok(hostAllowed("en.wikipedia.org", ["*.wikipedia.org"]));
 * assert.ok(!hostAllowed("wikipedia.org", ["*.wikipedia.org"]));
 * assert.ok(hostAllowed("localhost:8080", ["localhost"]));
 * ```
 */
export function hostAllowed(host: string, patterns: readonly string[]): boolean {
  return matchHost(host, patterns) !== "none";
}
