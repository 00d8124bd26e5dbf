import assert from "node:assert/strict";
import { generate } from "../scripts/manifest.ts";

Deno.test("the generated route and plugin manifests are up to date (run deno task manifest)", async () => {
  const { routes, plugins } = await generate();
  assert.equal(
    await Deno.readTextFile("routes/manifest.gen.ts"),
    routes,
    "routes/manifest.gen.ts is stale",
  );
  assert.equal(
    await Deno.readTextFile("plugins/manifest.gen.ts"),
    plugins,
    "plugins/manifest.gen.ts is stale",
  );
});
