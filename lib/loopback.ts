/**
 * @module
 * The one rule for "this machine": the loopback names a browser puts in the
 * `Host` header (which the guard accepts, `lib/security.ts`), and the bind
 * addresses only this machine can reach (with which the access token may be
 * turned off, `lib/config.ts`). It imports nothing, so both can use it.
 */

/** Host names always accepted: the loopback names a browser uses for this machine. */
export const LOOPBACK_NAMES: readonly string[] = ["localhost", "127.0.0.1", "[::1]", "::1"];

/**
 * Whether the bind address `host` is loopback: one of {@linkcode LOOPBACK_NAMES},
 * or any address in 127.0.0.0/8, which also only this machine can reach.
 *
 * @example
 * ```ts
 * import { isLoopback } from "./loopback.ts";
 * isLoopback("127.0.0.2"); // true
 * isLoopback("0.0.0.0"); // false
 * ```
 */
export function isLoopback(host: string): boolean {
  const name = host.toLowerCase();
  return LOOPBACK_NAMES.includes(name) || /^127(\.\d{1,3}){3}$/.test(name);
}
