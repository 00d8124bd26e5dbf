/**
 * The vendored browser files are the bytes the npm package published
 * (`static/vendor/README.md` lists their checksums).
 */
import assert from "node:assert/strict";
import { LAZY } from "@/static/mod.ts";

Deno.test("the vendored mermaid.min.js is mermaid@12.3.0's own file, embedded as served", async () => {
  const path = new URL("../static/vendor/mermaid.min.js", import.meta.url);
  const bytes = await Deno.readFile(path);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  const hex = [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
  assert.equal(hex, "336df803d87a38b70a01e736e666c8f7601d2ce42f5e47c8fafe5d721074b9a3");
  const readme = await Deno.readTextFile(new URL("../static/vendor/README.md", import.meta.url));
  assert.ok(readme.includes(hex), "the README lists the checksum");
  assert.equal(await LAZY["mermaid.min.js"]!(), new TextDecoder().decode(bytes));
});
