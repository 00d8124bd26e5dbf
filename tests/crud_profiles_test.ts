/**
 * Profiles over HTTP: create, rename, switch, a guarded delete of a profile
 * with records, and the custom row its definition renders.
 */
import assert from "node:assert/strict";
import { dump, testApp } from "./helpers/app.ts";
import { runScenarios } from "./helpers/scenarios.ts";

Deno.test("Profiles: create, rename, switch, and a guarded delete of a profile with records", async () => {
  const app = testApp();
  try {
    const rt = app.runtime;
    const profiles = () =>
      rt.db().prepare("SELECT id, name FROM profiles ORDER BY position").all() as {
        id: number;
        name: string;
      }[];
    assert.deepEqual(profiles().map((p) => p.name), ["Default"], "a Default profile is seeded");
    const def = profiles()[0]!;
    assert.equal(rt.services().store.get("profile.current.id"), def.id, "and made current");
    await runScenarios(app, [
      {
        name: "create",
        method: "POST",
        path: "/profiles",
        form: { name: "Acme", real_name: "Acme Corp" },
        status: 200,
        has: /Acme/,
      },
      {
        name: "missing name",
        method: "POST",
        path: "/profiles",
        form: { real_name: "x" },
        status: 422,
        unchanged: true,
      },
      {
        name: "HTML name",
        method: "POST",
        path: "/profiles",
        form: { name: "<b>Bold</b>" },
        status: 200,
        hasNot: /<b>Bold/,
      },
      {
        name: "unknown id",
        method: "POST",
        path: "/profiles/9999/select",
        status: 404,
        unchanged: true,
      },
    ]);
    const acme = profiles().find((p) => p.name === "Acme")!;
    const select = await app.post(`/profiles/${acme.id}/select`, {});
    assert.equal(select.status, 204);
    assert.equal(select.headers.get("hx-refresh"), "true");
    assert.equal(rt.services().profiles.current().name, "Acme");
    await app.post("/tasks", { name: "Acme task" });
    assert.match(
      await (await app.request("/")).text(),
      /<strong>Acme<\/strong>/,
      "the nav shows the current profile",
    );
    // Rename the current profile: the nav follows.
    await app.post(`/profiles/${acme.id}`, {
      name: "Acme Ltd",
      real_name: "",
      address: "",
      code: "",
    });
    assert.equal(rt.services().profiles.current().name, "Acme Ltd");
    // Tasks are per profile.
    rt.services().profiles.select(def.id);
    assert.doesNotMatch(await (await app.request("/tasks")).text(), /Acme task/);
    // Deleting a profile with records asks first and changes nothing.
    const before = dump(rt.db());
    const refused = await app.request(`/profiles/${acme.id}`, { method: "DELETE", htmx: true });
    assert.equal(refused.status, 409);
    assert.match(await refused.text(), /still has records \(1 in Tasks\)/);
    assert.equal(dump(rt.db()), before);
    const cascade = await app.request(`/profiles/${acme.id}?cascade=1`, {
      method: "DELETE",
      htmx: true,
    });
    assert.equal(cascade.status, 200);
    assert.equal(profiles().some((p) => p.id === acme.id), false);
    assert.equal(
      (rt.db().prepare("SELECT COUNT(*) AS n FROM tasks WHERE profile_id = ?").get(acme.id) as {
        n: number;
      }).n,
      0,
    );
    // The last profile cannot go.
    const bold = profiles().find((p) => p.name === "<b>Bold</b>")!;
    await app.request(`/profiles/${bold.id}`, { method: "DELETE", htmx: true });
    const last = await app.request(`/profiles/${def.id}`, { method: "DELETE", htmx: true });
    assert.equal(last.status, 409);
    assert.match(await last.text(), /at least one profile/);
  } finally {
    app.close();
  }
});

Deno.test("a CRUD app's custom row hook renders its details, escaped", async () => {
  const app = testApp();
  try {
    await app.post("/profiles", { name: "Acme", real_name: "Acme <Corp>" });
    const html = await (await app.request("/profiles/list", { htmx: true })).text();
    assert.match(html, /<span class="muted">Acme &lt;Corp&gt;<\/span>/);
    assert.doesNotMatch(html, /real name: /, "the hook replaces the generic details");
  } finally {
    app.close();
  }
});
