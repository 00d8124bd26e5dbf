/**
 * A page carries the context it was rendered for (database and profile);
 * a write from a page whose context is gone is refused with what changed,
 * and stored nowhere.
 */
import assert from "node:assert/strict";
import { CONTEXT_HEADER } from "@/web/context.ts";
import { type TestApp, testApp } from "./helpers/app.ts";

function count(app: TestApp, name: string): number {
  return Number(
    (app.runtime.db().prepare("SELECT COUNT(*) AS n FROM tasks WHERE name = ?").get(name) as {
      n: number;
    }).n,
  );
}

/** POST a task from a page rendered with `stamp`. */
function addTask(app: TestApp, name: string, stamp: string | null) {
  const headers: Record<string, string> = {
    "content-type": "application/x-www-form-urlencoded",
  };
  if (stamp !== null) headers[CONTEXT_HEADER] = stamp;
  else headers[CONTEXT_HEADER] = "";
  return app.request("/tasks", {
    method: "POST",
    headers,
    body: new URLSearchParams({ name }),
    htmx: true,
  });
}

Deno.test("every page carries its context, and htmx sends it with every request", async () => {
  const app = testApp();
  try {
    const page = await (await app.request("/tasks")).text();
    const stamp = app.runtime.services().context.stamp();
    assert.match(page, new RegExp(`data-context="${stamp.replaceAll(".", "\\.")}"`));
    assert.match(page, /hx-headers:inherited="\{&quot;X-Cardflow-Context&quot;:/);
  } finally {
    await app.close();
  }
});

Deno.test("a write without a context, or from a tab of another environment, profile, reset or restore, is refused and stored nowhere", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "cardflow-context-" });
  const app = testApp({ config: { dataDir } });
  try {
    const missing = await addTask(app, "No context", null);
    assert.equal(missing.status, 409);
    assert.match(await missing.text(), /does not say which database and profile/);
    assert.equal(count(app, "No context"), 0);

    // Environment: a tab of development writes after another tab switched to production.
    const dev = app.runtime.services().context.stamp();
    assert.equal((await app.post("/environment", { to: "production" })).status, 204);
    const fromDev = await addTask(app, "From the dev tab", dev);
    assert.equal(fromDev.status, 409);
    const text = await fromDev.text();
    assert.match(text, /shows the Development database, but Cardflow now uses Production/);
    assert.match(text, /Nothing was saved/);
    assert.match(text, /data-action="reload"/, "the refusal offers a reload");
    assert.equal(count(app, "From the dev tab"), 0, "not in production");
    await app.post("/environment", { to: "development" });
    assert.equal(count(app, "From the dev tab"), 0, "nor in development");

    // Profile: a tab of Default writes after another tab chose Acme.
    await app.post("/profiles", { name: "Acme" });
    const acme = app.runtime.services().profiles.choices().find((p) => p.name === "Acme")!;
    const asDefault = app.runtime.services().context.stamp();
    assert.equal((await app.post(`/profiles/${acme.id}/select`, {})).status, 204);
    const fromDefault = await addTask(app, "From the Default tab", asDefault);
    assert.equal(fromDefault.status, 409);
    assert.match(
      await fromDefault.text(),
      /opened for the profile “Default”, but the current profile is now “Acme”/,
    );
    assert.equal(count(app, "From the Default tab"), 0);

    // A page from before a restore.
    const beforeBackup = app.runtime.services().context.stamp();
    assert.equal((await app.post("/backups", {})).status, 200);
    const { listBackups } = await import("@/lib/backup.ts");
    const name = listBackups(`${dataDir}/backups`)[0]!.name;
    assert.equal((await app.post("/backups/restore", { name })).status, 204);
    const fromBefore = await addTask(app, "From before the restore", beforeBackup);
    assert.equal(fromBefore.status, 409);
    assert.match(await fromBefore.text(), /reset or restored since this page was opened/);
    assert.equal(count(app, "From before the restore"), 0);

    // A page from before a reset.
    const beforeReset = app.runtime.services().context.stamp();
    assert.equal((await app.post("/environment/reset", {})).status, 204);
    const fromReset = await addTask(app, "From before the reset", beforeReset);
    assert.equal(fromReset.status, 409);
    assert.equal(count(app, "From before the reset"), 0);

    // A page that is up to date writes as before.
    assert.equal((await addTask(app, "Fresh", app.runtime.services().context.stamp())).status, 200);
    assert.equal(count(app, "Fresh"), 1);
  } finally {
    await app.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("open pages are told when the context or the nav changes", async () => {
  const app = testApp();
  try {
    const events: { event: string; data: string }[] = [];
    app.runtime.deps().live.subscribe((m) => events.push(m));
    await app.post("/profiles", { name: "Acme" });
    assert.ok(events.some((e) => e.event === "nav:changed"), "a new profile changes the nav");
    const acme = app.runtime.services().profiles.choices().find((p) => p.name === "Acme");
    assert.ok(acme, "a new profile is active at once, so the switcher lists it");
    events.length = 0;
    await app.post(`/profiles/${acme.id}/select`, {});
    const changed = events.find((e) => e.event === "context:changed");
    assert.ok(changed, "choosing a profile tells every page");
    assert.deepEqual(JSON.parse(changed.data), {
      stamp: app.runtime.services().context.stamp(),
      text: "The current profile is now “Acme” (chosen in another tab or window).",
    });
    events.length = 0;
    await app.post("/roles/3/toggle", {});
    assert.ok(events.some((e) => e.event === "nav:changed"), "a role switched off changes the nav");
    assert.doesNotMatch(await (await app.request("/nav/menu")).text(), /href="\/showcase"/);
    events.length = 0;
    await app.post(`/profiles/${acme.id}`, { name: "Acme Ltd" });
    assert.ok(events.some((e) => e.event === "nav:changed"), "a renamed profile changes the nav");
    assert.match(await (await app.request("/nav/profiles")).text(), /<strong>Acme Ltd<\/strong>/);
  } finally {
    await app.close();
  }
});
