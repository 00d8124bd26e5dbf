/**
 * @module
 * `/static/<name>`: the embedded files. Only names in the asset table answer,
 * so `/static/../deno.json` and its encodings are a plain 404.
 */

import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import type { Deps } from "@/web/deps.ts";

/** Serve embedded static files with content-hash caching. */
export default function staticFiles(deps: Deps): Hono {
  return new Hono().get("/:name", async (c) => {
    const name = c.req.param("name");
    const asset = await deps.assets.get(name);
    if (!asset) throw new HTTPException(404, { message: `No static file "${name}".` });
    const etag = `"${asset.etag}"`;
    const versioned = c.req.query("v") === asset.etag;
    c.header("ETag", etag);
    c.header("Cache-Control", versioned ? "public, max-age=31536000, immutable" : "no-cache");
    if (c.req.header("if-none-match") === etag) return c.body(null, 304);
    c.header("Content-Type", asset.type);
    // Two calls, one per overload: Hono types a string body and a byte body apart.
    return typeof asset.body === "string" ? c.body(asset.body) : c.body(asset.body);
  });
}
