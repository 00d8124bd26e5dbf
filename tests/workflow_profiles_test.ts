/**
 * Runs belong to a profile: new runs to the current one, runs from before
 * (the 0.1 fixture) to the profile their key names, else to none (shown under
 * every profile). The landing page lists the current profile's runs; History
 * filters by workflow, profile and state, and deletes several runs at once.
 */
import assert from "node:assert/strict";
import { type TestApp, testApp } from "./helpers/app.ts";

const FIXTURE = new URL("./fixtures/v0.1/", import.meta.url).pathname;

function profiles(app: TestApp, sql = "SELECT key, profile_id FROM pipeline ORDER BY key") {
  return app.runtime.db().prepare(sql).all().map((r) => ({ ...r }));
}

Deno.test("runs written before profiles owned runs go to the profile their key starts with, else to none", async () => {
  const dataDir = await Deno.makeTempDir();
  await Deno.copyFile(`${FIXTURE}cardflow-dev.db`, `${dataDir}/cardflow-dev.db`);
  // One more old run whose key names no profile.
  const { DatabaseSync } = await import("node:sqlite");
  const raw = new DatabaseSync(`${dataDir}/cardflow-dev.db`);
  raw.exec(
    `INSERT INTO pipeline (key, workflow, state, created, updated, version) SELECT 'misc-run', workflow, state, created, updated, version FROM pipeline WHERE key = 'default-hello-03'`,
  );
  raw.close();
  let app = testApp({ config: { dataDir } });
  try {
    assert.deepEqual(profiles(app), [
      { key: "default-hello-01", profile_id: 1 },
      { key: "default-hello-02", profile_id: 1 },
      { key: "default-hello-03", profile_id: 1 },
      { key: "default-showcase-01", profile_id: 1 },
      { key: "default-showcase-02", profile_id: 1 },
      { key: "misc-run", profile_id: null },
    ]);
    // Ada sees the run of no profile, not Default's.
    await app.post("/profiles/2/select", {});
    const landing = await (await app.request("/hello")).text();
    assert.match(landing, /misc-run<\/a> <span class="muted">[^<]*no profile/);
    assert.doesNotMatch(landing, /default-hello-01/);
    await app.post("/hello/start", { key: "ada-hello-01" });
    assert.equal(
      profiles(app, "SELECT profile_id FROM pipeline WHERE key = 'ada-hello-01'")[0]!.profile_id,
      2,
    );
    app.close();
    // Assignment happens once, when the column arrives: a restart changes nothing.
    app = testApp({ config: { dataDir } });
    assert.equal(profiles(app).find((r) => r.key === "misc-run")!.profile_id, null);
  } finally {
    app.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("History filters by workflow, profile and state, and deletes the selected runs after one confirmation", async () => {
  const app = testApp();
  try {
    await app.post("/profiles", { name: "Ada" });
    await app.post("/hello/start", { key: "d-1" });
    const v = () =>
      String(
        (app.runtime.db().prepare("SELECT version FROM pipeline WHERE key='d-1'").get() as {
          version: number;
        }).version,
      );
    await app.post("/hello/run/d-1/step/step_01", { version: v(), name: "A" });
    await app.post("/hello/run/d-1/step/step_02", { version: v(), greeting: "Hi" });
    await app.post("/hello/run/d-1/finalize", { version: v() });
    await app.post("/showcase/start", { key: "d-2" });
    const ada = (app.runtime.db().prepare("SELECT id FROM profiles WHERE name = 'Ada'").get() as {
      id: number;
    }).id;
    await app.post(`/profiles/${ada}/select`, {});
    await app.post("/hello/start", { key: "a-1" });

    const keys = async (query: string) =>
      [...(await (await app.request(`/history${query}`)).text()).matchAll(/id="run-([^"]+)"/g)].map(
        (m) => m[1],
      );
    assert.deepEqual((await keys("")).sort(), ["a-1", "d-1", "d-2"]);
    assert.deepEqual((await keys("?workflow=hello")).sort(), ["a-1", "d-1"]);
    assert.deepEqual(await keys(`?profile=${ada}`), ["a-1"]);
    assert.deepEqual(await keys("?state=finalized"), ["d-1"]);
    assert.deepEqual((await keys("?state=open")).sort(), ["a-1", "d-2"]);
    const page = await (await app.request("/history")).text();
    assert.match(page, /hx-confirm="Delete the selected runs and everything in them\?"/);

    const res = await app.post("/history/delete?workflow=hello", { keys: ["a-1", "d-1"] });
    assert.equal(res.status, 200);
    assert.match(await res.text(), /Deleted 2 runs/);
    assert.deepEqual(profiles(app).map((r) => r.key), ["d-2"]);
    // A missing key deletes nothing at all.
    const missing = await app.post("/history/delete", { keys: ["d-2", "gone"] });
    assert.equal(missing.status, 404);
    assert.deepEqual(profiles(app).map((r) => r.key), ["d-2"]);
  } finally {
    app.close();
  }
});
