/**
 * @module
 * Small file checks several tests share: a file's hash (to prove not a byte
 * changed), the names in a folder (to prove nothing was left beside a file),
 * and whether a path exists.
 */

/** The SHA-256 of the file at `path`, in hex. */
export async function sha256(path: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", await Deno.readFile(path));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** The names in the folder `dir`, sorted. */
export function namesIn(dir: string): string[] {
  return [...Deno.readDirSync(dir)].map((e) => e.name).sort();
}

/** Whether anything is at `path`. */
export function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}
