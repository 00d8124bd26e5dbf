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

/** Whether `error` (or its cause) is SQLite's or the file system's "disk full" or "over quota". */
export function isDiskFull(error: unknown): boolean {
  for (let e = error, depth = 0; e && depth < 4; depth++) {
    const x = e as { code?: unknown; errcode?: unknown; message?: unknown; cause?: unknown };
    // SQLITE_FULL is 13; node:sqlite reports it as errcode (or only in the message),
    // Deno's file system as code ENOSPC (EDQUOT for a quota).
    if (x.errcode === 13 || x.code === "ENOSPC" || x.code === "EDQUOT") return true;
    if (
      /database or disk is full|no space left|quota exceeded|SQLITE_FULL/i.test(
        String(x.message ?? ""),
      )
    ) {
      return true;
    }
    e = x.cause;
  }
  return false;
}

/**
 * The database file Cardflow was asked to open is not one it can use (not
 * SQLite, cut short, damaged). Nothing was written to it.
 */
export class DatabaseFileError extends Error {
  override name = "DatabaseFileError";
}
