/**
 * @module
 * Reading a submitted form safely: a body that is not a form, or bytes that
 * are not UTF-8, is a 400 with a clear message rather than a thrown parser
 * error (and so never a 500).
 */

import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";

/** A form's fields: the last value of each name, files as `File`. */
export type FormFields = Record<string, string | File>;

/** A form's fields with every value of each name (checkboxes sharing a name). */
export type FormLists = Record<string, (string | File)[]>;

/** Parse the request's form body; throws a 400 (or the 413 of an oversize body). */
export async function readForm(c: Context): Promise<FormFields> {
  const out: FormFields = {};
  for (const [name, values] of Object.entries(await readFormLists(c))) {
    const last = values.at(-1);
    if (last !== undefined) out[name] = last;
  }
  return out;
}

/** Parse the request's form body keeping every value of each name; the same checks as {@linkcode readForm}. */
export async function readFormLists(c: Context): Promise<FormLists> {
  const type = c.req.header("content-type") ?? "";
  if (c.req.method === "GET" || c.req.method === "HEAD") return {};
  if (type && !/^(application\/x-www-form-urlencoded|multipart\/form-data)/i.test(type)) {
    throw new HTTPException(415, { message: "Send the form as a normal form submission." });
  }
  let fields: Record<string, string | File | (string | File)[]>;
  try {
    fields = await c.req.parseBody({ all: true });
  } catch (error) {
    const status = (error as { status?: number })?.status ??
      (error as { cause?: { status?: number } })?.cause?.status;
    if (status === 413) throw error;
    throw new HTTPException(400, {
      message: "The form could not be read: it is not valid form data.",
    });
  }
  const out: FormLists = {};
  for (const [name, value] of Object.entries(fields)) {
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) {
      if (typeof v === "string" && v.includes("\uFFFD")) {
        throw new HTTPException(400, {
          message: `The field "${name}" holds bytes that are not valid text.`,
        });
      }
    }
    out[name] = values;
  }
  return out;
}

/** A text field of `form`, or "" when missing. */
export function text(form: FormFields, name: string): string {
  const value = form[name];
  return typeof value === "string" ? value : "";
}
