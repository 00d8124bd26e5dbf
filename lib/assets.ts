/**
 * @module
 * Static files from embedded content, with content-hash URLs. A page links
 * `/static/app.css?v=<hash>`; that exact URL is cached for a year, any other
 * answers with an ETag. Only names in the table are served, so no path can
 * reach the file system.
 */

/** One servable file. */
export interface Asset {
  body: string | Uint8Array<ArrayBuffer>;
  type: string;
  etag: string;
}

/** What routes and the layout use. */
export interface Assets {
  /** The file called `name`, or undefined. */
  get(name: string): Promise<Asset | undefined>;
  /** The cache-busting URL of `name` (`/static/name?v=hash`). */
  url(name: string): string;
}

/** Options for {@linkcode createAssets}. */
export interface AssetOptions {
  /**
   * Files loaded the first time they are asked for, not at start: the large
   * libraries only some pages use (a diagram, a chart). Their URLs carry no
   * content hash, so browsers revalidate them with their ETag.
   */
  lazy?: Readonly<Record<string, () => Promise<string>>>;
  /** Re-read these names from `dir` on every request (dev mode). */
  live?: { dir: string; names: string[] };
}

const TYPES: Record<string, string> = {
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  svg: "image/svg+xml",
  txt: "text/plain; charset=utf-8",
  json: "application/json",
};

function typeOf(name: string): string {
  return TYPES[name.slice(name.lastIndexOf(".") + 1)] ?? "application/octet-stream";
}

/** A short, stable hash of `text` (FNV-1a, 2 × 32 bits): cheap at start-up and good for ETags. */
export function contentHash(text: string): string {
  let a = 0x811c9dc5, b = 0x01000193 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    a = Math.imul(a ^ code, 0x01000193);
    b = Math.imul(b ^ code, 0x5bd1e995) ^ (b >>> 15);
  }
  return (a >>> 0).toString(36) + (b >>> 0).toString(36);
}

/** Build the asset table from `files` (name → content). */
export function createAssets(
  files: Readonly<Record<string, string>>,
  options: AssetOptions = {},
): Assets {
  const table = new Map<string, Asset>();
  for (const [name, body] of Object.entries(files)) {
    table.set(name, { body, type: typeOf(name), etag: contentHash(body) });
  }
  const live = new Set(options.live?.names ?? []);
  const lazy = options.lazy ?? {};
  const loading = new Map<string, Promise<Asset>>();

  /** A lazy file, loaded once and kept as bytes (served as they are, never encoded again). */
  function loadLazy(name: string): Promise<Asset> {
    let pending = loading.get(name);
    if (!pending) {
      pending = lazy[name]!().then((text) => ({
        body: new TextEncoder().encode(text),
        type: typeOf(name),
        etag: contentHash(text),
      }));
      // A failed load is tried again on the next request rather than remembered.
      pending.catch(() => loading.delete(name));
      loading.set(name, pending);
    }
    return pending;
  }

  return {
    async get(name) {
      if (Object.hasOwn(lazy, name)) return await loadLazy(name);
      if (!table.has(name)) return undefined;
      if (options.live && live.has(name)) {
        try {
          const body = await Deno.readTextFile(`${options.live.dir}/${name}`);
          return { body, type: typeOf(name), etag: contentHash(body) };
        } catch { /* fall back to the embedded copy */ }
      }
      return table.get(name);
    },
    url(name) {
      if (Object.hasOwn(lazy, name)) return `/static/${name}`;
      const asset = table.get(name);
      if (!asset) throw new Error(`no static file "${name}"`);
      return live.has(name) ? `/static/${name}` : `/static/${name}?v=${asset.etag}`;
    },
  };
}
