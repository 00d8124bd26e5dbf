/**
 * @module
 * Files a workflow run keeps — uploads, and what its jobs produce — under
 * `<data>/uploads/<run key>/` with a safe name. A file is written only after
 * its step passed every check, and removed again when the run's write is
 * refused, so a refused submit leaves nothing behind. Files are read back
 * only by a name the run's own state holds (see the service).
 */

/** A stored file. */
export interface StoredFile {
  /** The stored name, unique within the run's folder. */
  name: string;
  bytes: number;
  path: string;
}

/** Whether `name` has the shape of a stored file name (`<prefix>-<safe base name>`). */
export function isStoredName(name: string): boolean {
  return SAFE_NAME.test(name);
}

/** The run files of one data folder. */
export interface Files {
  /** Write `file` for run `key`. */
  save(key: string, file: File): Promise<StoredFile>;
  /** Write `content` as a file called (after cleaning) `name` for run `key`. */
  write(key: string, name: string, content: Uint8Array): Promise<StoredFile>;
  /** Write `content` under exactly the stored name `name` (an import, a clone); refuses odd names. */
  restore(key: string, name: string, content: Uint8Array): Promise<StoredFile>;
  /** The bytes of file `name` of run `key`, or undefined when it is gone. */
  read(key: string, name: string): Promise<Uint8Array<ArrayBuffer> | undefined>;
  /** Remove a file written by `save` or `write` (a refused write); missing files are fine. */
  discard(file: StoredFile): Promise<void>;
  /** Remove run `key`'s folder and everything in it. */
  removeRun(key: string): Promise<void>;
}

const SAFE_NAME = /^[a-z0-9]+-[A-Za-z0-9._-]{1,80}$/;

/** `name` reduced to a safe base name: nothing can leave the run's folder. */
export function safeName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? "";
  return base.replace(/[^A-Za-z0-9._-]+/g, "_").replace(/^\.+/, "").slice(-80) || "file";
}

/** Files under `dataDir` (a temporary folder for an in-memory database). */
export function createFiles(dataDir: string): Files {
  let root: string | undefined;
  async function base(): Promise<string> {
    root ??= dataDir === ":memory:"
      ? await Deno.makeTempDir({ prefix: "cardflow-uploads-" })
      : `${dataDir}/uploads`;
    return root;
  }
  async function folder(key: string): Promise<string> {
    const dir = `${await base()}/${key}`;
    await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
    return dir;
  }
  let counter = 0;
  async function write(key: string, name: string, content: Uint8Array): Promise<StoredFile> {
    // A time-and-counter prefix keeps two files of the same name apart.
    const prefix = (Date.now().toString(36) + (counter++ % 1296).toString(36)).toLowerCase();
    const stored = `${prefix}-${safeName(name)}`;
    const path = `${await folder(key)}/${stored}`;
    await Deno.writeFile(path, content, { mode: 0o600 });
    return { name: stored, bytes: content.byteLength, path };
  }
  return {
    async save(key, file) {
      return await write(key, file.name, new Uint8Array(await file.arrayBuffer()));
    },
    write,
    async restore(key, name, content) {
      if (!SAFE_NAME.test(name)) throw new TypeError(`"${name}" is not a stored file name`);
      const path = `${await folder(key)}/${name}`;
      await Deno.writeFile(path, content, { mode: 0o600 });
      return { name, bytes: content.byteLength, path };
    },
    async read(key, name) {
      // Names come from a run's state, but check the shape anyway: no path ever leaves the folder.
      if (!SAFE_NAME.test(name)) return undefined;
      try {
        return await Deno.readFile(`${await base()}/${key}/${name}`);
      } catch (error) {
        if (error instanceof Deno.errors.NotFound) return undefined;
        throw error;
      }
    },
    async discard(file) {
      await Deno.remove(file.path).catch(() => {});
    },
    async removeRun(key) {
      await Deno.remove(`${await base()}/${key}`, { recursive: true }).catch(() => {});
    },
  };
}
