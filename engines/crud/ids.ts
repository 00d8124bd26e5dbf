/**
 * @module
 * A record id from the URL: digits only, or a plain "not found".
 */

import type { Context } from "hono";
import { NotFoundError } from "../../lib/errors.ts";

/** The `:id` parameter of `c` as a record id; anything else is a 404. */
export function idOf(c: Context): number {
  const raw = c.req.param("id") ?? "";
  const id = /^\d{1,15}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(id) || id < 1) {
    throw new NotFoundError("record", raw, `There is no record "${raw}".`);
  }
  return id;
}
