/**
 * @module
 * Safe defaults for a localhost app, whose attacker is any web page the user
 * visits: refuse foreign `Host` headers (DNS rebinding), refuse state changes
 * and WebSocket upgrades that come from another site. Bodies are capped by
 * Hono's `bodyLimit` where the app is built.
 * See SECURITY.md for the threat model.
 */

import type { MiddlewareHandler } from "hono";
import { HTTPException } from "hono/http-exception";

/** Host names always accepted: the loopback names. */
export const LOOPBACK_NAMES = ["localhost", "127.0.0.1", "[::1]", "::1"];

/** Bind addresses that mean "every interface" rather than a name a browser uses. */
const WILDCARDS = ["0.0.0.0", "::", "[::]"];

/** Whether the bind address `host` listens on every interface. */
export function isWildcard(host: string): boolean {
  return WILDCARDS.includes(host);
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** Options for {@linkcode guard}. */
export interface GuardOptions {
  /** The configured bind address; accepted as a Host name unless it is a wildcard. */
  host: string;
  /** Extra Host names to accept. */
  allowedHosts: string[];
}

/** The host name of a `Host` header, lower-cased, without its port. */
export function hostName(header: string): string {
  const value = header.trim().toLowerCase();
  if (value.startsWith("[")) return value.slice(0, value.indexOf("]") + 1);
  const colon = value.indexOf(":");
  return colon === -1 ? value : value.slice(0, colon);
}

/**
 * Whether a request's `Origin` / `Sec-Fetch-Site` say it comes from elsewhere.
 * The origin must match scheme and host: `https://127.0.0.1:P` is not the
 * plain-HTTP page Cardflow serves.
 */
export function isCrossSite(headers: Headers, requestHost: string, scheme = "http:"): boolean {
  const site = headers.get("sec-fetch-site");
  if (site && site !== "same-origin" && site !== "none") return true;
  const origin = headers.get("origin");
  if (origin === null) return false;
  if (origin === "null") return true;
  try {
    const url = new URL(origin);
    return url.protocol !== scheme || url.host.toLowerCase() !== requestHost.toLowerCase();
  } catch {
    return true;
  }
}

/** One middleware applying every rule above, before any route runs. */
export function guard(options: GuardOptions): MiddlewareHandler {
  const allowed = new Set([
    ...LOOPBACK_NAMES,
    ...options.allowedHosts,
    ...(isWildcard(options.host) ? [] : [options.host.toLowerCase()]),
  ]);
  return async function securityGuard(c, next) {
    const host = c.req.header("host") ?? "";
    if (!allowed.has(hostName(host))) {
      throw new HTTPException(403, {
        message: `Host "${hostName(host)}" is not allowed. Open Cardflow at http://localhost, ` +
          `or start it with --allowed-host for this name.`,
      });
    }
    const upgrade = c.req.header("upgrade")?.toLowerCase() === "websocket";
    if (
      (!SAFE_METHODS.has(c.req.method) || upgrade) &&
      isCrossSite(c.req.raw.headers, host, c.req.url.startsWith("https:") ? "https:" : "http:")
    ) {
      throw new HTTPException(403, {
        message: "Refused: this request came from another site.",
      });
    }
    await next();
    const headers = c.res.headers;
    headers.set("X-Content-Type-Options", "nosniff");
    headers.set("X-Frame-Options", "DENY");
    headers.set("Referrer-Policy", "same-origin");
    if (!headers.has("Content-Security-Policy")) {
      headers.set(
        "Content-Security-Policy",
        "frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
      );
    }
  };
}
