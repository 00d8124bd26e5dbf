/**
 * @module
 * The local access token, as Jupyter has one: a random secret per data folder
 * (the file `token`, owner-only) that every request must carry. A browser gets
 * it once through the URL Cardflow prints (`/?token=…`), which turns it into
 * an HttpOnly, SameSite=Strict cookie and redirects to the clean URL; other
 * clients send `Authorization: Bearer …`. SameSite=Strict keeps the cookie
 * off every request another site starts, so a page elsewhere cannot use
 * Cardflow through the browser even with a GET, and a process of another user
 * on this machine cannot read the file. See SECURITY.md.
 */

import { escapeHtml } from "./html.ts";

/** The token file's name in the data folder. */
export const TOKEN_FILE = "token";

/** How long the browser keeps the cookie: 400 days, the most browsers allow. */
export const COOKIE_MAX_AGE = 400 * 24 * 3600;

const SHAPE = /^[A-Za-z0-9_-]{32,128}$/;

/** A new random token: 24 bytes as 48 hex digits. */
export function newToken(): string {
  return [...crypto.getRandomValues(new Uint8Array(24))]
    .map((b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * The token of `dataDir`, read from its token file or written there (0600)
 * when the file is missing or holds no usable token; a new one per process
 * for ":memory:".
 */
export function loadToken(dataDir: string): string {
  if (dataDir === ":memory:") return newToken();
  const path = `${dataDir}/${TOKEN_FILE}`;
  try {
    const text = Deno.readTextFileSync(path).trim();
    if (SHAPE.test(text)) {
      if (Deno.build.os !== "windows" && (Deno.statSync(path).mode! & 0o077) !== 0) {
        Deno.chmodSync(path, 0o600);
      }
      return text;
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  const token = newToken();
  // Written whole under a temp name, then renamed: a crash never leaves half a token.
  const temp = `${path}.${newToken().slice(0, 8)}.tmp`;
  Deno.writeTextFileSync(temp, token + "\n", { mode: 0o600, createNew: true });
  Deno.renameSync(temp, path);
  return token;
}

/**
 * The cookie's name for a server reached on `port`. Cookies are shared by
 * every port of a host, so two Cardflows on one machine each need their own.
 */
export function cookieName(port: string): string {
  return `cardflow-token-${port || "80"}`;
}

/** Whether `given` is `token`, in time that does not depend on where they differ. */
export function sameToken(given: string | undefined | null, token: string): boolean {
  if (!given || given.length !== token.length) return false;
  let difference = 0;
  for (let i = 0; i < token.length; i++) difference |= given.charCodeAt(i) ^ token.charCodeAt(i);
  return difference === 0;
}

/** The port of a `Host` header ("" for none), which names the cookie. */
export function portOf(host: string): string {
  const end = host.startsWith("[") ? host.indexOf("]") + 1 : 0;
  const colon = host.indexOf(":", end);
  return colon === -1 ? "" : host.slice(colon + 1);
}

/** The token a request carries: its cookie for `port`, or `Authorization: Bearer`. */
export function tokenOf(headers: Headers, port: string): string | undefined {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(headers.get("authorization") ?? "")?.[1];
  if (bearer) return bearer;
  const name = cookieName(port);
  for (const part of (headers.get("cookie") ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** The `Set-Cookie` value that logs a browser in on `port`. */
export function loginCookie(token: string, port: string): string {
  return `${
    cookieName(port)
  }=${token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${COOKIE_MAX_AGE}`;
}

/** A plain page: refusals must not show the app's menus or names to whoever asked. */
export function barePage(title: string, message: string, status: number): Response {
  const body = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)} · Cardflow</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:38rem;margin:4rem auto;padding:0 1rem}</style>
</head><body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p></body></html>
`;
  return new Response(body, {
    status,
    headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" },
  });
}

/** What a request without the token is told. */
export const TOKEN_REQUIRED = "Cardflow needs its access token. Open the link Cardflow printed " +
  "when it started (http://localhost:PORT/?token=…): it logs this browser in. The token is " +
  "also in the file named token in Cardflow's data folder; other programs send it as " +
  "“Authorization: Bearer TOKEN”.";
