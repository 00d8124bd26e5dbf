import assert from "node:assert/strict";
import { pageHeaders, startTestServer } from "./helpers/browser.ts";
import { startFakeOllama } from "./helpers/fake_ollama.ts";
import { connect } from "./helpers/ws_client.ts";

const t = (name: string, fn: () => Promise<void>) =>
  Deno.test({ name, sanitizeOps: false, sanitizeResources: false, fn });
const SECONDS = Deno.env.get("CARDFLOW_LONG") === "1" ? 5 : 2;

t(
  "20 concurrent clients submitting to one run and to their own runs: no lost update, no 500, no locked database",
  async () => {
    const { server, dataDir } = await startTestServer();
    const url = server.url;
    const post = async (path: string, form: Record<string, string>) => {
      const res = await fetch(url + path, {
        method: "POST",
        headers: { ...pageHeaders(server), "hx-request": "true" },
        body: new URLSearchParams(form),
      });
      const text = await res.text();
      return { status: res.status, text };
    };
    try {
      await post("/hello/start", { key: "shared" });
      const statuses = new Map<number, number>();
      const wins: string[] = [];
      const end = Date.now() + SECONDS * 1000;
      await Promise.all(Array.from({ length: 20 }, async (_, client) => {
        const own = `own-${client}`;
        await post("/hello/start", { key: own });
        let ownVersion = 1;
        let ownWrites = 0;
        while (Date.now() < end) {
          // Everyone races on the shared run with the version they last saw.
          const db = server.runtime.db();
          const seen = (db.prepare("SELECT version FROM pipeline WHERE key = 'shared'").get() as {
            version: number;
          }).version;
          const name = `c${client}-${seen}`;
          const shared = await post("/hello/run/shared/step/step_01", {
            version: String(seen),
            name,
          });
          statuses.set(shared.status, (statuses.get(shared.status) ?? 0) + 1);
          assert.doesNotMatch(shared.text, /database is locked|SQLITE_BUSY/);
          if (shared.status === 200) wins.push(name);
          else assert.equal(shared.status, 409, shared.text);
          const mine = await post(`/hello/run/${own}/step/step_01`, {
            version: String(ownVersion),
            name: `w${ownWrites}`,
          });
          assert.equal(mine.status, 200, mine.text);
          ownVersion++;
          ownWrites++;
        }
        const row = server.runtime.db().prepare(
          "SELECT state, version FROM pipeline WHERE key = ?",
        ).get(own) as { state: string; version: number };
        assert.equal(
          row.version,
          ownVersion,
          `${own}: every acknowledged write bumped the version once`,
        );
        assert.equal(
          JSON.parse(row.state).steps.step_01.name,
          `w${ownWrites - 1}`,
          `${own}: the last acknowledged write is stored`,
        );
      }));
      assert.equal(
        [...statuses.keys()].filter((s) => s !== 200 && s !== 409).length,
        0,
        JSON.stringify([...statuses]),
      );
      const shared = server.runtime.db().prepare(
        "SELECT state, version FROM pipeline WHERE key = 'shared'",
      ).get() as { state: string; version: number };
      assert.equal(
        shared.version,
        1 + wins.length,
        "each acknowledged shared write is one version: none was lost or doubled",
      );
      assert.equal(JSON.parse(shared.state).steps.step_01.name, wins.at(-1));
    } finally {
      await server.shutdown();
      await Deno.remove(dataDir, { recursive: true });
    }
  },
);

t(
  "Ollama faults under concurrent chats: every page gets a clear answer and the app keeps serving",
  async () => {
    const fake = await startFakeOllama();
    const { server, dataDir } = await startTestServer({ ollamaHost: fake.url, llmStallMs: 500 });
    const sockets = await Promise.all(
      Array.from({ length: 5 }, () =>
        connect(`ws://127.0.0.1:${server.port}/ws`, {
          context: () => server.runtime.services().context.stamp(),
        })),
    );
    try {
      fake.replies.push({ tokens: ["slow", " answer"], fault: "stall" });
      await Promise.all(sockets.map((ws, i) => ws.send({ message: `question ${i}` })));
      for (const ws of sockets) {
        await ws.waitFor(
          (f) => /msg-error/.test(f.content) && /stopped sending/.test(f.content),
          5000,
        );
      }
      // One question was answered; every other page was told, on its own socket, to wait.
      const told = sockets.filter((ws) => ws.frames.some((f) => /Still answering/.test(f.content)));
      assert.equal(told.length, sockets.length - 1);
      assert.equal((await fetch(server.url + "/")).status, 200);
      fake.replies.push({ fault: "500" });
      sockets[0]!.send({ message: "again" });
      await sockets[1]!.waitFor((f) => /error \(500\)/.test(f.content));
      fake.replies.push({ tokens: ["fine"] });
      sockets[2]!.send({ message: "and now?" });
      for (const ws of sockets) {
        await ws.waitFor((f) => f.swap === "outerHTML" && f.content.includes("fine"));
      }
    } finally {
      await Promise.all(sockets.map((ws) => ws.close()));
      await server.shutdown();
      await fake.close();
      await Deno.remove(dataDir, { recursive: true });
    }
  },
);

t("500 open WebSockets and 50 open event streams do not stop the app from serving", async () => {
  const { server, dataDir } = await startTestServer();
  const sockets: WebSocket[] = [];
  const streams: AbortController[] = [];
  try {
    for (let i = 0; i < 500; i++) {
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws`);
      await new Promise((resolve, reject) => {
        ws.onopen = resolve;
        ws.onerror = reject;
      });
      sockets.push(ws);
    }
    for (let i = 0; i < 50; i++) {
      const controller = new AbortController();
      const res = await fetch(`${server.url}/events`, { signal: controller.signal });
      assert.equal(res.status, 200);
      streams.push(controller);
    }
    assert.equal(server.runtime.chat().sockets(), 500);
    for (let i = 0; i < 20; i++) {
      const res = await fetch(`${server.url}/tasks`);
      assert.equal(res.status, 200);
      await res.body?.cancel();
    }
  } finally {
    for (const controller of streams) controller.abort();
    for (const ws of sockets) ws.close();
    await server.shutdown();
    await Deno.remove(dataDir, { recursive: true });
  }
});
