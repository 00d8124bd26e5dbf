/**
 * @module
 * Reading a submitted form safely: a body that is not a form, or bytes that
 * are not UTF-8, is a 400 with a clear message rather than a thrown parser
 * error (and so never a 500). A U+FFFD the person typed is text like any
 * other; only one the decoder had to put in place of bad bytes is refused.
 */

import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";

/** A form's fields: the last value of each name, files as `File`. */
export type FormFields = Record<string, string | File>;

/** A form's fields with every value of each name (checkboxes sharing a name). */
export type FormLists = Record<string, (string | File)[]>;

/**
 * Parse the request's form body; throws a 400 when it is not a form. Its size
 * is not checked here: Hono's `bodyLimit` (mounted in `app/app.tsx`) answers
 * 413 before any route runs, refusing a declared size over the cap unread and
 * reading a streamed body up to the cap, so what arrives here fits.
 */
export async function readForm(c: Context): Promise<FormFields> {
  // No prototype: a field named "toString" or "__proto__" is a field like any other.
  const out: FormFields = Object.create(null);
  for (const [name, values] of Object.entries(await readFormLists(c))) {
    const last = values.at(-1);
    if (last !== undefined) out[name] = last; // the last value of a repeated name wins
  }
  return out;
}

/**
 * Every value of every field, in order: the choices of a group of
 * checkboxes, the files of a multiple file input. Same checks as {@linkcode readForm}.
 */
export async function readFormLists(c: Context): Promise<FormLists> {
  const type = c.req.header("content-type") ?? "";
  // No type, no form (as Hono's parseBody reads it): the route sees no fields.
  if (c.req.method === "GET" || c.req.method === "HEAD" || !type) return {};
  if (!/^(application\/x-www-form-urlencoded|multipart\/form-data)/i.test(type)) {
    throw new HTTPException(415, { message: "Send the form as a normal form submission." });
  }
  let bytes: Uint8Array;
  let fields: FormData;
  try {
    const buffer = await c.req.arrayBuffer();
    bytes = new Uint8Array(buffer);
    fields = await new Response(buffer, { headers: { "content-type": type } }).formData();
  } catch {
    // A body that is not form data, or one the client stopped sending.
    throw new HTTPException(400, {
      message: "The form could not be read: it is not valid form data.",
    });
  }
  const out: FormLists = Object.create(null);
  let replaced = 0;
  for (const [name, value] of fields) {
    replaced += count(name);
    if (typeof value === "string") replaced += count(value);
    (out[name] ??= []).push(value);
  }
  // Each U+FFFD the decoder put in place of bad bytes is one the body never held.
  if (replaced > 0 && replaced > encodedReplacements(bytes, /urlencoded/i.test(type))) {
    const field = [...fields.keys()].find((n) => {
      const v = fields.get(n);
      return count(n) > 0 || (typeof v === "string" && count(v) > 0);
    });
    throw new HTTPException(400, {
      message: `The field "${field}" holds bytes that are not valid text.`,
    });
  }
  return out;
}

function count(text: string): number {
  let n = 0;
  for (let i = text.indexOf("\uFFFD"); i !== -1; i = text.indexOf("\uFFFD", i + 1)) n++;
  return n;
}

/** How many U+FFFD (EF BF BD) the body holds as bytes, after %XX decoding for a urlencoded one. */
function encodedReplacements(body: Uint8Array, urlencoded: boolean): number {
  const bytes = urlencoded ? percentDecode(body) : body;
  let n = 0;
  for (let i = 0; i + 2 < bytes.length; i++) {
    if (bytes[i] === 0xef && bytes[i + 1] === 0xbf && bytes[i + 2] === 0xbd) n++;
  }
  return n;
}

function percentDecode(body: Uint8Array): Uint8Array {
  const out = new Uint8Array(body.length);
  let o = 0;
  const hex = (b: number | undefined) =>
    b === undefined ? -1 : parseInt(String.fromCharCode(b), 16);
  for (let i = 0; i < body.length; i++) {
    const hi = hex(body[i + 1]);
    const lo = hex(body[i + 2]);
    if (body[i] === 0x25 && hi >= 0 && lo >= 0) {
      out[o++] = hi * 16 + lo;
      i += 2;
    } else {
      out[o++] = body[i]!;
    }
  }
  return out.subarray(0, o);
}

/** A text field of `form`, or "" when missing. */
export function text(form: FormFields, name: string): string {
  const value = form[name];
  return typeof value === "string" ? value : "";
}
