/**
 * @module
 * Backup file names and the listing built from them. A name carries the
 * environment, the UTC second it was taken and why:
 * `production-20260314-091500-manual.db`, then `...-manual-2.db` for a second
 * copy in the same second. Names from before (`production-2026-03-14.db`) are
 * still read, so old copies stay listed and fall under the same retention;
 * so are the `replaced-2026-03-14T09-15-00-000Z.db` files older restores put
 * aside, whose environment nobody wrote down: listed as "unknown", restorable,
 * never removed by retention.
 * Only a name that parses is ever joined to the folder, so a listed name is
 * also a safe path.
 */

import { BackupError } from "./backup_files.ts";

/** Which database a backup is of. */
export type Environment = "development" | "production";

/** Why a backup was written, in the order a user meets them. */
export const BACKUP_REASONS = ["start", "manual", "replaced"] as const;
/**
 * `start`: the copy taken when Cardflow starts; `manual`: asked for;
 * `replaced`: the database a restore put aside.
 */
export type BackupReason = typeof BACKUP_REASONS[number];

/** One backup file as listed. */
export interface BackupFile {
  name: string;
  /** Folder and name joined. */
  path: string;
  /** `unknown` only for a database an older Cardflow's restore put aside. */
  environment: Environment | "unknown";
  /** `daily` marks a copy named the old way, one per day, before reasons existed. */
  reason: BackupReason | "daily";
  /** When it was taken, from its name (UTC, whole seconds). */
  time: Date;
  /** 1 for the first copy of its second, 2 and up for later ones. */
  seq: number;
  bytes: number;
  /** The file's modification time, which the name's time may disagree with. */
  modified: Date;
}

const NAME = new RegExp(
  `^(development|production)-(\\d{8})-(\\d{6})-(${BACKUP_REASONS.join("|")})` +
    `(?:-([2-9]|[1-9]\\d{1,3}))?\\.db$`,
);
const OLD_NAME = /^(development|production)-(\d{4})-(\d{2})-(\d{2})\.db$/;
const OLD_REPLACED = /^replaced-(\d{4})-(\d{2})-(\d{2})T(\d{2})-(\d{2})-(\d{2})-\d{3}Z\.db$/;

type Parsed = Pick<BackupFile, "environment" | "reason" | "time" | "seq">;

/** The file name for a backup of `environment` taken at `time`, the `seq`th of that second. */
export function backupName(
  environment: Environment,
  time: Date,
  reason: BackupReason,
  seq = 1,
): string {
  const iso = Number.isNaN(time.getTime()) ? "" : time.toISOString();
  if (!/^\d{4}-/.test(iso)) {
    throw new BackupError(`the clock reads ${time}, which cannot date a backup`);
  }
  const stamp = `${iso.slice(0, 10).replaceAll("-", "")}-${iso.slice(11, 19).replaceAll(":", "")}`;
  return `${environment}-${stamp}-${reason}${seq > 1 ? `-${seq}` : ""}.db`;
}

/** Read a backup name; undefined when `name` is not one (or names an impossible date). */
export function parseBackupName(name: string): Parsed | undefined {
  const match = NAME.exec(name);
  if (match) {
    const [, environment, day = "", clock = "", reason, seq] = match;
    const time = utc(day.slice(0, 4), day.slice(4, 6), day.slice(6), clock);
    if (!time) return undefined;
    return {
      environment: environment as Environment,
      reason: reason as BackupReason,
      time,
      seq: seq ? Number(seq) : 1,
    };
  }
  const aside = OLD_REPLACED.exec(name);
  if (aside) {
    const [, year = "", month = "", day = "", h = "", m = "", sec = ""] = aside;
    const time = utc(year, month, day, `${h}${m}${sec}`);
    return time && { environment: "unknown", reason: "replaced", time, seq: 1 };
  }
  const old = OLD_NAME.exec(name);
  if (!old) return undefined;
  const time = utc(old[2]!, old[3]!, old[4]!, "000000");
  return time && { environment: old[1] as Environment, reason: "daily", time, seq: 1 };
}

function utc(year: string, month: string, day: string, clock: string): Date | undefined {
  const text = `${year}-${month}-${day}T${clock.slice(0, 2)}:${clock.slice(2, 4)}:${
    clock.slice(4)
  }`;
  const time = new Date(`${text}Z`);
  // Date rolls 31 February over into March; such a name is not one we wrote.
  return !Number.isNaN(time.getTime()) && time.toISOString().startsWith(text) ? time : undefined;
}

/** Whether `name` is a backup file name (and so safe to join to the backup folder). */
export function isBackupName(name: string): boolean {
  return parseBackupName(name) !== undefined;
}

/** The backups in `dir`, newest first by the time in their names; none if `dir` is absent. */
export function listBackups(dir: string): BackupFile[] {
  const found: BackupFile[] = [];
  let entries: Deno.DirEntry[];
  try {
    entries = [...Deno.readDirSync(dir)];
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
  for (const entry of entries) {
    const parsed = entry.isFile ? parseBackupName(entry.name) : undefined;
    if (!parsed) continue;
    const path = `${dir}/${entry.name}`;
    let info: Deno.FileInfo;
    try {
      info = Deno.statSync(path);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) continue; // removed while we looked
      throw error;
    }
    const modified = info.mtime ?? new Date(0);
    found.push({ name: entry.name, path, ...parsed, bytes: info.size, modified });
  }
  return found.sort(newestFirst);
}

/** Order by the time in the name, then by sequence: newest first. */
export function newestFirst(a: BackupFile, b: BackupFile): number {
  return b.time.getTime() - a.time.getTime() || b.seq - a.seq || a.name.localeCompare(b.name);
}
