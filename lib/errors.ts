/**
 * @module
 * The errors Cardflow's layers share. They carry no HTTP status: each says
 * what went wrong in words a person can act on, and the web layer alone maps
 * a class to a status (`web/errors.tsx`).
 */

/** No record, run or step has the key asked for. */
export class NotFoundError extends Error {
  override name = "NotFoundError";
  constructor(readonly table: string, readonly key: unknown, message?: string) {
    super(message ?? `${table}: no record with key ${JSON.stringify(key)}`);
  }
}

/** A value or name that does not fit its definition; the message names the field. */
export class ValidationError extends Error {
  override name = "ValidationError";
  constructor(readonly table: string, readonly column: string | undefined, message: string) {
    super(message);
  }
}

/** A schema that cannot be created or grown. */
export class SchemaError extends Error {
  override name = "SchemaError";
  constructor(readonly table: string, readonly column: string | undefined, message: string) {
    super(message);
  }
}

/** A write on top of a change the writer had not seen (a stale version, a taken key). */
export class ConflictError extends Error {
  override name = "ConflictError";
}

/** The disk (or the database's file system) is full. */
export class DiskFullError extends Error {
  override name = "DiskFullError";
}

/** Whether `error` is SQLite's or the file system's "disk full". */
export function isDiskFull(error: unknown): boolean {
  const e = error as { code?: unknown; errcode?: unknown; message?: unknown } | null;
  // SQLITE_FULL is 13; node:sqlite reports it as errcode, Deno's file system as code ENOSPC.
  return e?.errcode === 13 || e?.code === "ENOSPC" ||
    /database or disk is full|no space left on device/i.test(String(e?.message ?? ""));
}
