import assert from "node:assert/strict";
import type { RunState } from "@/pipeline/workflow/state.ts";
import { type TestApp, testApp } from "./helpers/app.ts";

function row(app: TestApp, key: string) {
  return app.runtime.db().prepare("SELECT * FROM pipeline WHERE key = ?").get(key) as
    | { key: string; workflow: string; state: string; version: number }
    | undefined;
}

function state(app: TestApp, key: string): RunState {
  return JSON.parse(row(app, key)!.state);
}

async function start(app: TestApp, key: string): Promise<void> {
  const res = await app.post("/hello/start", { key });
  assert.equal(res.status, 200, await res.clone().text());
  await res.body?.cancel();
}

async function submit(app: TestApp, key: string, step: string, form: Record<string, string>) {
  const version = String(row(app, key)!.version);
  return await app.post(`/hello/run/${key}/step/${step}`, { version, ...form });
}

async function step(app: TestApp, key: string, id: string, query = ""): Promise<string> {
  const res = await app.request(`/hello/run/${key}/step/${id}${query}`, { htmx: true });
  assert.equal(res.status, 200);
  return await res.text();
}

Deno.test("critical path 1: a complete pipeline from key to finalize", async () => {
  const app = testApp();
  try {
    const landing = await (await app.request("/hello")).text();
    assert.match(landing, /value="default-hello-01"/);
    await start(app, "run-1");
    assert.match(await step(app, "run-1", "step_01"), /name="name"/);
    assert.equal((await submit(app, "run-1", "step_01", { name: "Ada" })).status, 200);
    const s2 = await step(app, "run-1", "step_02");
    assert.match(s2, /value="Hello, Ada!"/, "the greeting is computed from the name");
    assert.equal((await submit(app, "run-1", "step_02", { greeting: "Hi Ada" })).status, 200);
    assert.match(await step(app, "run-1", "step_02"), /All steps are done/);
    const fin = await app.post("/hello/run/run-1/finalize", {
      version: String(row(app, "run-1")!.version),
    });
    assert.equal(fin.status, 200);
    const s = state(app, "run-1");
    assert.deepEqual([s.steps.step_01, s.steps.step_02, s.finalized], [
      { name: "Ada" },
      { greeting: "Hi Ada" },
      true,
    ]);
    assert.match(await (await app.request("/hello")).text(), /run-1.*finalized/s);
  } finally {
    app.close();
  }
});

Deno.test("critical path 2: revert and resubmit clears forward only on submit", async () => {
  const app = testApp();
  try {
    await start(app, "r");
    await submit(app, "r", "step_01", { name: "Ada" });
    await submit(app, "r", "step_02", { greeting: "Hi" });
    const reverted = await app.request("/hello/run/r?edit=step_01", { htmx: true });
    assert.equal(reverted.status, 200);
    assert.equal(reverted.headers.get("hx-push-url"), "/hello/run/r?edit=step_01");
    assert.match(await reverted.text(), /step\/step_01\?edit=step_01/);
    assert.deepEqual(
      state(app, "r").steps.step_02,
      { greeting: "Hi" },
      "revert alone clears nothing",
    );
    assert.match(await step(app, "r", "step_01", "?edit=step_01"), /Submit again/);
    assert.equal(
      await step(app, "r", "step_02", "?edit=step_01"),
      "",
      "later steps are not shown while editing",
    );
    await submit(app, "r", "step_01", { name: "Grace" });
    const s = state(app, "r");
    assert.deepEqual(s.steps.step_01, { name: "Grace" });
    assert.equal("step_02" in s.steps, false, "resubmitting step 1 cleared step 2");
  } finally {
    app.close();
  }
});

Deno.test("critical path 3: refill pre-fills a form shown again but never keeps cleared data", async () => {
  const app = testApp();
  try {
    await start(app, "p");
    await submit(app, "p", "step_01", { name: "Ada" });
    await submit(app, "p", "step_02", { greeting: "Custom greeting" });
    assert.match(
      await step(app, "p", "step_02", "?edit=step_02"),
      /value="Custom greeting"/,
      "refill shows the old value",
    );
    await submit(app, "p", "step_01", { name: "Ada" });
    const s2 = await step(app, "p", "step_02");
    assert.doesNotMatch(s2, /Custom greeting/, "cleared data is not refilled");
    assert.match(s2, /value="Hello, Ada!"/);
  } finally {
    app.close();
  }
});

Deno.test("critical path 4: jump to a step works for completed steps and the next one, and is a clear 409 beyond", async () => {
  const app = testApp();
  try {
    await start(app, "j");
    const beyond = await app.request("/hello/run/j?edit=step_02", { htmx: true });
    assert.equal(beyond.status, 409);
    assert.match(await beyond.text(), /cannot be reached yet/);
    await submit(app, "j", "step_01", { name: "Ada" });
    assert.equal((await app.request("/hello/run/j?edit=step_01")).status, 200);
    assert.equal((await app.request("/hello/run/j?edit=step_02")).status, 200);
    assert.equal((await app.request("/hello/run/j?edit=nope", { htmx: true })).status, 404);
  } finally {
    app.close();
  }
});

Deno.test("critical path 5: finalize locks, refuses submit and revert, and unfinalize keeps the data", async () => {
  const app = testApp();
  try {
    await start(app, "f");
    await submit(app, "f", "step_01", { name: "Ada" });
    const early = await app.post("/hello/run/f/finalize", {
      version: String(row(app, "f")!.version),
    });
    assert.equal(early.status, 409);
    assert.match(await early.text(), /Finish every step/);
    await submit(app, "f", "step_02", { greeting: "Hi" });
    await app.post("/hello/run/f/finalize", { version: String(row(app, "f")!.version) });
    const before = row(app, "f");
    const refused = await submit(app, "f", "step_01", { name: "Mallory" });
    assert.equal(refused.status, 409);
    assert.match(await refused.text(), /finalized/);
    assert.equal((await app.request("/hello/run/f?edit=step_01", { htmx: true })).status, 409);
    assert.deepEqual(row(app, "f"), before);
    assert.doesNotMatch(await step(app, "f", "step_01"), /Revert/, "locked cards are read-only");
    const open = await app.post("/hello/run/f/unfinalize", {
      version: String(row(app, "f")!.version),
    });
    assert.equal(open.status, 200);
    const s = state(app, "f");
    assert.deepEqual([s.steps.step_01, s.steps.step_02, s.finalized], [
      { name: "Ada" },
      { greeting: "Hi" },
      false,
    ]);
  } finally {
    app.close();
  }
});

Deno.test("bad input gets a clear message with the right status and leaves the run unchanged", async () => {
  const app = testApp();
  try {
    await start(app, "b");
    await submit(app, "b", "step_01", { name: "Ada" });
    const version = String(row(app, "b")!.version);
    const cases: [string, Promise<Response>, number, RegExp][] = [
      ["unknown workflow", app.request("/nope/run/b", { htmx: true }), 404, /Nothing here/],
      [
        "unknown key",
        app.request("/hello/run/missing", { htmx: true }),
        404,
        /no Hello run with the key "missing"/,
      ],
      ["bad key", app.request("/hello/run/bad%20key!", { htmx: true }), 404, /letters, digits/],
      [
        "unknown step",
        app.post("/hello/run/b/step/step_99", { version, x: "1" }),
        404,
        /no step "step_99"/,
      ],
      [
        "missing field",
        app.post("/hello/run/b/step/step_02", { version }),
        422,
        /Greeting is required/,
      ],
      [
        "empty field",
        app.post("/hello/run/b/step/step_02", { version, greeting: "   " }),
        422,
        /Greeting is required/,
      ],
      [
        "100 KB value",
        app.post("/hello/run/b/step/step_02", { version, greeting: "x".repeat(100_000) }),
        422,
        /too long/,
      ],
      [
        "missing version",
        app.post("/hello/run/b/step/step_02", { greeting: "Hi" }),
        400,
        /missing its version/,
      ],
      [
        "stale version",
        app.post("/hello/run/b/step/step_02", { version: "1", greeting: "Hi" }),
        409,
        /changed in another tab/,
      ],
      [
        "non-UTF-8 bytes",
        app.request("/hello/run/b/step/step_02", {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: new Uint8Array([
            ...new TextEncoder().encode(`version=${version}&greeting=`),
            0xff,
            0xfe,
            0x41,
          ]),
          htmx: true,
        }),
        400,
        /not valid text/,
      ],
      [
        "JSON body",
        app.request("/hello/run/b/step/step_02", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: "{}",
        }),
        415,
        /normal form/,
      ],
      [
        "bad start key",
        app.post("/hello/start", { key: "no spaces allowed" }),
        422,
        /letters, digits, - and _ only/,
      ],
      ["long start key", app.post("/hello/start", { key: "k".repeat(65) }), 422, /at most 64/],
    ];
    for (const [name, pending, status, pattern] of cases) {
      const before = row(app, "b");
      const res = await pending;
      const body = (await res.text()).replaceAll("&quot;", '"').replaceAll("&#39;", "'");
      assert.equal(res.status, status, `${name}: ${body.slice(0, 200)}`);
      assert.match(body, pattern, name);
      assert.deepEqual(row(app, "b"), before, `${name} changed the run`);
    }
    assert.equal(app.runtime.db().prepare("SELECT COUNT(*) AS n FROM pipeline").get()!.n, 1);
  } finally {
    app.close();
  }
});

Deno.test("a key of another workflow is refused on the landing card", async () => {
  const app = testApp();
  try {
    app.runtime.services().workflows.find("showcase")!.start("other", "ui");
    const res = await app.post("/hello/start", { key: "other" });
    assert.equal(res.status, 409);
    assert.match(await res.text(), /belongs to another workflow/);
  } finally {
    app.close();
  }
});

Deno.test("a run survives a restart and resumes where it was", async () => {
  const dataDir = await Deno.makeTempDir();
  let app = testApp({ config: { dataDir } });
  await start(app, "persist");
  await submit(app, "persist", "step_01", { name: "Ada" });
  app.close();
  app = testApp({ config: { dataDir } });
  try {
    assert.match(await step(app, "persist", "step_01"), /Ada/);
    assert.match(await step(app, "persist", "step_02"), /name="greeting"/);
  } finally {
    app.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("every transition emits a pipeline event without waiting for listeners", async () => {
  const app = testApp();
  try {
    const seen: string[] = [];
    app.runtime.deps().bus.on("pipeline", (e) => {
      seen.push(`${e.workflow}:${e.operation}:${e.step ?? ""}`);
    });
    await start(app, "e");
    await submit(app, "e", "step_01", { name: "Ada" });
    await app.runtime.deps().bus.idle();
    assert.deepEqual(seen, ["hello:start:", "hello:submit:step_01"]);
  } finally {
    app.close();
  }
});

Deno.test("history lists runs across workflows and deletes one", async () => {
  const app = testApp();
  try {
    await start(app, "h1");
    await start(app, "h2");
    await submit(app, "h2", "step_01", { name: "Ada" });
    const page = await (await app.request("/history")).text();
    assert.match(page, /h1.*Hello.*at Your name/s);
    assert.match(page, /h2.*at Greeting/s);
    const res = await app.request("/history/h1", { method: "DELETE", htmx: true });
    assert.equal(res.status, 200);
    assert.doesNotMatch(await res.text(), />h1</);
    assert.equal(row(app, "h1"), undefined);
    assert.equal((await app.request("/history/h1", { method: "DELETE", htmx: true })).status, 404);
  } finally {
    app.close();
  }
});
