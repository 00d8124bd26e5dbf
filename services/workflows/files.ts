/**
 * @module
 * Files a workflow step keeps: uploads are written under
 * `<data>/uploads/<run key>/` with a safe name. A file is written only after
 * its step passed every check, and removed again when the run's write is
 * refused, so a refused submit leaves nothing behind.
 */

/** A stored upload. */
export interface StoredFile {
  /** The stored name, unique within the run's folder. */
  name: string;
  bytes: number;
  path: string;
}

/** The uploads of one data folder. */
export interface Files {
  /** Write `file` for run `key`. */
  save(key: string, file: File): Promise<StoredFile>;
  /** Remove a file written by `save` (a refused write); missing files are fine. */
  discard(file: StoredFile): Promise<void>;
}

/** Uploads under `dataDir` (a temporary folder for an in-memory database). */
export function createFiles(dataDir: string): Files {
  let root: string | undefined;
  async function folder(key: string): Promise<string> {
    root ??= dataDir === ":memory:"
      ? await Deno.makeTempDir({ prefix: "cardflow-uploads-" })
      : `${dataDir}/uploads`;
    const dir = `${root}/${key}`;
    await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
    return dir;
  }
  return {
    async save(key, file) {
      // Keep only the base name, in a safe alphabet: nothing can leave the run's folder.
      const base = file.name.split(/[\\/]/).pop() ?? "";
      const safe = base.replace(/[^A-Za-z0-9._-]+/g, "_").replace(/^\.+/, "").slice(-80) ||
        "upload";
      const name = `${Date.now().toString(36)}-${safe}`;
      const path = `${await folder(key)}/${name}`;
      await Deno.writeFile(path, new Uint8Array(await file.arrayBuffer()), { mode: 0o600 });
      return { name, bytes: file.size, path };
    },
    async discard(file) {
      await Deno.remove(file.path).catch(() => {});
    },
  };
}
