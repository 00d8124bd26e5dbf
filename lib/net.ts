/**
 * @module
 * The outbound network boundary for workflows. Deno fixes permissions at start-up (a
 * compiled binary at compile time), so the process may reach the network broadly and
 * this module is where a workflow's reach is decided. {@linkcode createNetFetch} returns
 * a fetch that, on the first request and on every redirect hop:
 *
 * 1. accepts only http: and https: URLs without user name or password;
 * 2. refuses a host its allow-list does not match (see `lib/net_address.ts`) before
 *    any connection is made;
 * 3. resolves the name (IP literals are taken as they are; `localhost` counts as
 *    loopback) and refuses if ANY address is loopback, private, link-local, CGNAT,
 *    multicast or otherwise not public. The exceptions: `allowPrivate: true` AND a
 *    pattern without wildcard naming the host, e.g. `hosts: ["127.0.0.1:8080"]`, or a
 *    host named exactly in `privateHosts` (the hosts a person allowed by name);
 * 4. follows redirects itself, at most `maxRedirects`, dropping credentials headers
 *    when the origin changes;
 * 5. bounds the whole exchange (DNS, connect, headers, body, all hops) by `timeoutMs`
 *    and the body by `maxBytes`, streamed and cut, never buffered past the cap.
 *
 * Limitations, plainly: the address check runs before `fetch`, and `fetch` resolves
 * the name again, so a DNS server that answers differently the second time (DNS
 * rebinding) can still steer a request to a private address; Deno's fetch cannot be
 * pinned to the address we checked. The default resolver is getaddrinfo (`node:dns`),
 * the same one fetch uses, which keeps the two answers as close as they can be. When
 * HTTP_PROXY / HTTPS_PROXY is set, Deno's fetch goes through the proxy, and the proxy
 * resolves the name the second time.
 */

import { lookup } from "node:dns/promises";
import { isHostPattern, isIpLiteral, isPrivateAddress, matchHost } from "./net_address.ts";
import { isPermissionError, NetError, toNetError } from "./net_error.ts";

export { hostAllowed, isHostPattern, isPrivateAddress } from "./net_address.ts";
export { describeNetError, NetError, type NetErrorKind } from "./net_error.ts";

/** What a caller may reach, and how much of it. */
export interface NetPolicy {
  /** Host patterns: `api.example.com`, `*.wikipedia.org`, `127.0.0.1:8080`, `[::1]`. */
  hosts: readonly string[];
  /** Reach non-public addresses, only for hosts named by a pattern without wildcard. */
  allowPrivate?: boolean;
  /**
   * Patterns (without wildcard) whose hosts may be non-public addresses even
   * when `allowPrivate` is false; they must match `hosts` too to be reached.
   */
  privateHosts?: readonly string[];
  /** Deadline for the whole request, redirects and body included. */
  timeoutMs?: number;
  /** Largest response body accepted, in bytes. */
  maxBytes?: number;
  /** Redirects followed before giving up with kind "redirects". */
  maxRedirects?: number;
  /** Every address of a host name; injectable for tests. Defaults to getaddrinfo. */
  resolve?: (host: string) => Promise<string[]>;
  /** Sent unless the request sets its own User-Agent. */
  userAgent?: string;
}

/** Defaults for the optional {@linkcode NetPolicy} fields. */
export const NET_DEFAULTS = {
  allowPrivate: false,
  timeoutMs: 15_000,
  maxBytes: 5 * 1024 * 1024,
  maxRedirects: 5,
  userAgent: "Cardflow",
} as const;

/** One request: the parts of `RequestInit` a workflow needs, plus `accept`. */
export interface NetRequest {
  /** GET by default. */
  method?: string;
  headers?: HeadersInit;
  body?: string;
  /** Aborting it rejects with kind "aborted". */
  signal?: AbortSignal;
  /** "2xx" throws a NetError of kind "status" for any other final status. */
  accept?: "any" | "2xx";
  /** A shorter deadline for this request than the policy's (never a longer one). */
  timeoutMs?: number;
  /** A smaller body cap for this request than the policy's (never a larger one). */
  maxBytes?: number;
}

/** A finished response, body read in full (within `maxBytes`). */
export interface NetResponse {
  /** The final URL, after redirects. */
  url: string;
  status: number;
  ok: boolean;
  headers: Headers;
  /** The media type without parameters, lower case: "text/html"; "" when absent. */
  contentType: string;
  bytes: Uint8Array;
  /** The body decoded per the Content-Type charset, UTF-8 by default. */
  text(): string;
  json(): unknown;
  /** Every URL that answered with a redirect, in order. */
  redirects: string[];
}

/** The function {@linkcode createNetFetch} returns. */
export type NetFetch = (url: string | URL, init?: NetRequest) => Promise<NetResponse>;

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const CREDENTIAL_HEADERS = ["authorization", "cookie", "proxy-authorization"];

/** A fetch that enforces `policy` on every request and every redirect hop. */
export function createNetFetch(policy: NetPolicy): NetFetch {
  const bad = policy.hosts.filter((pattern) => !isHostPattern(pattern));
  if (bad.length > 0) throw new TypeError(`Not a host pattern: ${bad.join(", ")}`);
  const resolve = policy.resolve ?? lookupAll;
  const timeoutMs = policy.timeoutMs ?? NET_DEFAULTS.timeoutMs;
  const maxRedirects = policy.maxRedirects ?? NET_DEFAULTS.maxRedirects;
  const maxBytes = policy.maxBytes ?? NET_DEFAULTS.maxBytes;

  /** Refuse `url` unless the policy lets it through; resolves the name on the way. */
  async function admit(url: URL, signal: AbortSignal): Promise<void> {
    const host = url.hostname.replace(/\.$/, "");
    const port = url.port || (url.protocol === "https:" ? "443" : "80");
    const match = matchHost(`${host}:${port}`, policy.hosts);
    if (match === "none") {
      throw new NetError("not-allowed", { url, message: `${host}:${port} is not allowed` });
    }
    const local = host === "localhost" || host.endsWith(".localhost");
    const addresses = isIpLiteral(host) || local ? [host] : await resolveAll(host, url, signal);
    const found = local ? host : addresses.find(isPrivateAddress);
    const named = matchHost(`${host}:${port}`, policy.privateHosts ?? []) === "exact";
    if (found !== undefined && !(policy.allowPrivate && match === "exact") && !named) {
      throw new NetError("private-address", { url, message: `${host} is ${found}, not public` });
    }
  }

  async function resolveAll(host: string, url: URL, signal: AbortSignal): Promise<string[]> {
    let addresses: string[];
    try {
      addresses = await untilAborted(resolve(host), signal);
    } catch (error) {
      if (signal.aborted || isPermissionError(error)) throw error;
      throw new NetError("dns", { url, message: `${host} does not resolve`, cause: error });
    }
    if (addresses.length > 0) return addresses;
    throw new NetError("dns", { url, message: `${host} has no addresses` });
  }

  return async function netFetch(input, init = {}) {
    const deadline = Math.min(timeoutMs, init.timeoutMs ?? timeoutMs);
    const cap = Math.min(maxBytes, init.maxBytes ?? maxBytes);
    const timeout = AbortSignal.timeout(deadline);
    const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    let url: URL | string = input;
    try {
      url = target(input);
      let method = (init.method ?? "GET").toUpperCase();
      let body = init.body;
      const headers = new Headers(init.headers);
      if (!headers.has("user-agent")) {
        headers.set("user-agent", policy.userAgent ?? NET_DEFAULTS.userAgent);
      }
      const redirects: string[] = [];
      for (;;) {
        await admit(url, signal);
        const response = await fetch(url, { method, headers, body, signal, redirect: "manual" });
        const location = REDIRECTS.has(response.status) ? response.headers.get("location") : null;
        if (location === null) {
          return await finish(response, { url, redirects, maxBytes: cap, accept: init.accept });
        }
        await response.body?.cancel();
        if (redirects.length >= maxRedirects) {
          throw new NetError("redirects", { url, message: `more than ${maxRedirects} redirects` });
        }
        redirects.push(url.href);
        const next = target(location, url);
        // As browsers do: 303 always, and 301/302 after a POST, continue as a bodiless GET.
        const status = response.status;
        if ((status === 303 && method !== "HEAD") || (status < 303 && method === "POST")) {
          method = "GET";
          body = undefined;
          headers.delete("content-type");
        }
        if (next.origin !== url.origin) CREDENTIAL_HEADERS.forEach((name) => headers.delete(name));
        url = next;
      }
    } catch (error) {
      throw toNetError(error, { url, caller: init.signal, timeout, timeoutMs: deadline });
    }
  };
}

/** `input` parsed (against `base`), refused unless http(s) without credentials. */
function target(input: string | URL, base?: URL): URL {
  let url: URL;
  try {
    url = new URL(input, base);
  } catch (error) {
    throw new NetError("bad-url", { url: String(input), message: "not a URL", cause: error });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new NetError("bad-url", { url, message: `${url.protocol} is not http: or https:` });
  }
  if (url.username !== "" || url.password !== "") {
    throw new NetError("bad-url", { url, message: "credentials in the URL" });
  }
  return url;
}

interface Finish {
  url: URL;
  redirects: string[];
  maxBytes: number;
  accept: NetRequest["accept"];
}

/** The final response, body read within the cap, or a NetError. */
async function finish(response: Response, options: Finish): Promise<NetResponse> {
  const { url, maxBytes } = options;
  if (options.accept === "2xx" && !response.ok) {
    await response.body?.cancel();
    const message = `HTTP ${response.status} ${response.statusText}`.trim();
    throw new NetError("status", { url, message, status: response.status });
  }
  if (Number(response.headers.get("content-length")) > maxBytes) {
    await response.body?.cancel();
    throw new NetError("too-large", { url, message: `Content-Length over ${maxBytes} bytes` });
  }
  const bytes = await readCapped(response, url, maxBytes);
  const header = response.headers.get("content-type") ?? "";
  const text = () => new TextDecoder(charset(header)).decode(bytes);
  return {
    url: url.href,
    status: response.status,
    ok: response.ok,
    headers: response.headers,
    contentType: header.split(";")[0]!.trim().toLowerCase(),
    bytes,
    text,
    json: () => JSON.parse(text()),
    redirects: options.redirects,
  };
}

async function readCapped(response: Response, url: URL, maxBytes: number): Promise<Uint8Array> {
  if (response.body === null) return new Uint8Array();
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      // The failure to report is the size; a failed cancel only means the socket is gone.
      await reader.cancel().catch(() => {});
      throw new NetError("too-large", { url, message: `body over ${maxBytes} bytes` });
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/** The charset label of a Content-Type, when TextDecoder knows it; UTF-8 otherwise. */
function charset(contentType: string): string {
  const label = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType)?.[1] ?? "utf-8";
  try {
    return new TextDecoder(label).encoding;
  } catch {
    return "utf-8";
  }
}

/** Every address getaddrinfo gives for `host`: the resolver `fetch` itself uses. */
async function lookupAll(host: string): Promise<string[]> {
  const found = await lookup(host, { all: true, verbatim: true });
  return found.map((entry) => entry.address);
}

/** `promise`, or the signal's reason as soon as it fires (a lookup cannot be cancelled). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
