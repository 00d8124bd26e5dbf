/**
 * The small findings of issue 15 about what comes in: a stale upload writes
 * no file, a NUL is refused where it would be cut short and kept where it is
 * not, a U+FFFD someone typed is text while bytes that are not UTF-8 are not,
 * and an Origin with the wrong scheme is another site.
 */
import assert from "node:assert/strict";
import { testApp } from "./helpers/app.ts";

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  try {
    for (const entry of Deno.readDirSync(dir)) {
      if (entry.isDirectory) out.push(...filesUnder(`${dir}/${entry.name}`));
      else out.push(`${dir}/${entry.name}`);
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return out;
}

Deno.test("a stale-version upload is refused before its file is written", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "cardflow-upload-" });
  const app = testApp({ config: { dataDir } });
  try {
    const steps: [string, Record<string, string>][] = [
      ["title", { title: "Upload" }],
      ["notes", { notes: "notes" }],
      ["count", { count: "3" }],
      ["colour", { colour: "green" }],
      ["urgent", { urgent: "on" }],
      ["due", { due: "2026-12-24" }],
      ["summary", { summary: "a summary" }],
      ["table", { items: "a, 1" }],
      ["code", { code: "const x = 1;" }],
    ];
    assert.equal((await app.post("/showcase/start", { key: "up" })).status, 200);
    let version = 1;
    for (const [step, values] of steps) {
      const res = await app.post(`/showcase/run/up/step/${step}`, {
        version: String(version++),
        ...values,
      });
      assert.equal(res.status, 200, `${step}: ${await res.text()}`);
    }
    const upload = (v: number) => {
      const form = new FormData();
      form.append("version", String(v));
      form.append("file", new File(["attached bytes"], "notes.txt"));
      return app.request("/showcase/run/up/step/upload", { method: "POST", body: form });
    };
    const stale = await upload(version - 1);
    assert.equal(stale.status, 409);
    assert.match(await stale.text(), /changed in another tab/);
    assert.deepEqual(filesUnder(`${dataDir}/uploads`), [], "no file for a refused upload");

    const fresh = await upload(version);
    assert.equal(fresh.status, 200);
    await fresh.body?.cancel();
    assert.equal(filesUnder(`${dataDir}/uploads`).length, 1, "the accepted upload is kept");
  } finally {
    await app.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("a NUL is refused in a task name with a message, and kept intact in a workflow's text", async () => {
  const app = testApp();
  try {
    const refused = await app.post("/tasks", { name: "milk\0and honey" });
    assert.equal(refused.status, 422);
    assert.match(await refused.text(), /cannot hold a NUL character/);
    assert.equal(app.runtime.services().crud.get("tasks").list().length, 0);

    // Workflow values live in a JSON blob, which writes a NUL as \u0000 and reads it back.
    await (await app.post("/hello/start", { key: "nul" })).body?.cancel();
    const saved = await app.post("/hello/run/nul/step/step_01", { version: "1", name: "A\0da" });
    assert.equal(saved.status, 200);
    await saved.body?.cancel();
    const run = app.runtime.services().workflows.runs.get("nul");
    assert.equal(run.state.steps.step_01?.name, "A\0da");
  } finally {
    await app.close();
  }
});

Deno.test("a U+FFFD someone typed is text; bytes that are not UTF-8 are refused", async () => {
  const app = testApp();
  try {
    const name = "broken glyph \uFFFD kept";
    const typed = await app.post("/tasks", { name });
    assert.equal(typed.status, 200);
    await typed.body?.cancel();
    const multipart = new FormData();
    multipart.append("name", `${name} (multipart)`);
    const sent = await app.request("/tasks", { method: "POST", body: multipart, htmx: true });
    assert.equal(sent.status, 200);
    await sent.body?.cancel();
    const names = app.runtime.services().crud.get("tasks").list().map((r) => r.name);
    assert.deepEqual(names, [name, `${name} (multipart)`]);

    const encoder = new TextEncoder();
    const bad: [string, Uint8Array<ArrayBuffer>][] = [
      ["raw bytes", new Uint8Array([...encoder.encode("name=ok"), 0xff, 0xfe])],
      ["percent-encoded bytes", encoder.encode("name=ok%FF%FE")],
      // A genuine U+FFFD beside bad bytes does not hide them.
      ["a U+FFFD and bad bytes", encoder.encode("name=%EF%BF%BD%C3%28")],
    ];
    for (const [what, body] of bad) {
      const res = await app.request("/tasks", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body,
        htmx: true,
      });
      assert.equal(res.status, 400, what);
      assert.match(
        await res.text(),
        /The field &quot;name&quot; holds bytes that are not valid text/,
      );
    }
    const boundary = "----cardflow";
    const part = new Uint8Array([
      ...encoder.encode(
        `--${boundary}\r\nContent-Disposition: form-data; name="name"\r\n\r\nok`,
      ),
      0xc3,
      0x28,
      ...encoder.encode(`\r\n--${boundary}--\r\n`),
    ]);
    const res = await app.request("/tasks", {
      method: "POST",
      headers: { "content-type": `multipart/form-data; boundary=${boundary}` },
      body: part,
      htmx: true,
    });
    assert.equal(res.status, 400, "multipart with bad bytes");
    await res.body?.cancel();
    assert.equal(app.runtime.services().crud.get("tasks").list().length, 2);
  } finally {
    await app.close();
  }
});

Deno.test("an Origin with the wrong scheme is another site: writes and WebSocket upgrades are refused", async () => {
  const app = testApp();
  try {
    for (
      const origin of ["https://localhost:5001", "https://127.0.0.1:5001", "ws://localhost:5001"]
    ) {
      const write = await app.request("/tasks", {
        method: "POST",
        headers: { origin, "content-type": "application/x-www-form-urlencoded" },
        body: "name=from+elsewhere",
      });
      assert.equal(write.status, 403, origin);
      await write.body?.cancel();
      const upgrade = await app.request("/ws", {
        headers: { origin, upgrade: "websocket", connection: "upgrade" },
      });
      assert.equal(upgrade.status, 403, `${origin} upgrade`);
      await upgrade.body?.cancel();
    }
    // 127.0.0.1:5001 with the plain scheme is this very origin when the page was opened there.
    const same = await app.request("/tasks", {
      method: "POST",
      headers: {
        host: "127.0.0.1:5001",
        origin: "http://127.0.0.1:5001",
        "content-type": "application/x-www-form-urlencoded",
      },
      body: "name=same+origin",
    });
    assert.equal(same.status, 200);
    await same.body?.cancel();
    assert.deepEqual(
      app.runtime.services().crud.get("tasks").list().map((r) => r.name),
      ["same origin"],
    );
  } finally {
    await app.close();
  }
});
