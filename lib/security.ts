/**
 * @module
 * Safe defaults for a localhost app, whose attacker is any web page the user
 * visits: refuse foreign `Host` headers (DNS rebinding), require the local
 * access token when it is on (`lib/access_token.ts`), refuse state changes
 * and WebSocket upgrades that come from another site. Bodies are capped by
 * Hono's `bodyLimit` where the app is built.
 * See SECURITY.md for the threat model.
 */

import type { MiddlewareHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import {
  barePage,
  loginCookie,
  portOf,
  sameToken,
  TOKEN_REQUIRED,
  tokenOf,
} from "./access_token.ts";
import { LOOPBACK_NAMES } from "./loopback.ts";

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
  /** The access token every request must carry; none required when undefined. */
  token?: string;
  /** Paths that carry a credential of their own and need no access token (dev mode's). */
  open?: (path: string) => boolean;
}

function harden(headers: Headers): void {
  headers.set("X-Content-Type-Options", "nosniff");
  headers.set("X-Frame-Options", "DENY");
  headers.set("Referrer-Policy", "same-origin");
  if (!headers.has("Content-Security-Policy")) {
    headers.set(
      "Content-Security-Policy",
      "frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
    );
  }
}

/** A refusal as a plain page, hardened like every other response. */
function refuse(title: string, message: string, status: number): Response {
  const response = barePage(title, message, status);
  harden(response.headers);
  return response;
}

/**
 * The answer to a request without the right token, or to a login link
 * (`?token=` on a GET), or undefined to let the request through.
 */
function tokenCheck(request: Request, token: string): Response | undefined {
  const headers = request.headers;
  const looking = request.method === "GET" || request.method === "HEAD";
  // Parsing the URL is for the login link only; every other request costs a header read.
  if (looking && request.url.includes("token=")) {
    const url = new URL(request.url);
    const offered = url.searchParams.get("token");
    if (offered !== null) return login(url, offered, token);
  }
  const host = headers.get("host") ?? "";
  if (sameToken(tokenOf(headers, portOf(host)), token)) return undefined;
  return refuse("Access token needed", required(host), 401);
}

function required(host: string): string {
  return TOKEN_REQUIRED.replace("localhost:PORT", host || "localhost");
}

/** Answer a login link: set the cookie and go to the same address without the token. */
function login(url: URL, offered: string, token: string): Response {
  if (!sameToken(offered, token)) {
    return refuse(
      "Wrong access token",
      `That link holds a token this Cardflow does not know. ${required(url.host)}`,
      401,
    );
  }
  url.searchParams.delete("token");
  const response = new Response(null, {
    status: 303,
    headers: { location: url.pathname + url.search, "cache-control": "no-store" },
  });
  response.headers.append("set-cookie", loginCookie(token, url.port));
  harden(response.headers);
  return response;
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
      // A plain page: under DNS rebinding the asking page can read this answer.
      return refuse(
        "Not allowed",
        `Host "${hostName(host)}" is not allowed. Open Cardflow at http://localhost, ` +
          `or start it with --allowed-host for this name.`,
        403,
      );
    }
    if (options.token && !options.open?.(c.req.path)) {
      const answer = tokenCheck(c.req.raw, options.token);
      if (answer) return answer;
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
    harden(c.res.headers);
  };
}
