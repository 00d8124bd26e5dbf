import assert from "node:assert/strict";
import { startTestServer } from "./helpers/browser.ts";
import { spawnCardflow } from "./helpers/process.ts";

// CARDFLOW_LONG=1 trickles for a full minute, as a slow client in the wild might.
const TRICKLE_MS = Deno.env.get("CARDFLOW_LONG") === "1" ? 60_000 : 3_000;

Deno.test({
  name: "a request body trickling in slowly does not block other requests",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { server, dataDir } = await startTestServer();
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
    const encoder = new TextEncoder();
    let trickling = true;
    try {
      const body = "to=" + "x".repeat(97);
      await conn.write(encoder.encode(
        "POST /environment HTTP/1.1\r\nHost: localhost\r\n" +
          `X-Cardflow-Context: ${server.runtime.services().context.stamp()}\r\n` +
          "Content-Type: application/x-www-form-urlencoded\r\n" +
          `Content-Length: ${body.length}\r\n\r\n`,
      ));
      const slow = (async () => {
        const steps = 20;
        for (let i = 0; i < steps; i++) {
          await new Promise((r) => setTimeout(r, TRICKLE_MS / steps));
          await conn.write(encoder.encode(body.slice(i * 5, i * 5 + 5)));
        }
        trickling = false;
      })();
      let served = 0;
      for (let i = 0; i < 20; i++) {
        const res = await fetch(`http://127.0.0.1:${server.port}/`);
        assert.equal(res.status, 200);
        await res.body?.cancel();
        if (trickling) served++;
      }
      assert.equal(served, 20, "every request was answered while the slow one was still trickling");
      await slow;
      const reply = new Uint8Array(4096);
      const n = await conn.read(reply);
      assert.match(new TextDecoder().decode(reply.subarray(0, n ?? 0)), /^HTTP\/1\.1 422/);
    } finally {
      conn.close();
      await server.shutdown();
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "connections stopped mid-headers past the open-file limit do not stop Cardflow: it serves again once they close",
  ignore: Deno.build.os === "windows",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "cardflow-loris-" });
    // Deno.serve has no header timeout, so each stalled request holds a file until it goes.
    const app = await spawnCardflow({ args: ["--data-dir", dir], openFiles: 256 });
    const port = Number(new URL(app.url).port);
    const stalled: Deno.Conn[] = [];
    let exited = false;
    app.child.status.then(() => (exited = true));
    try {
      const encoder = new TextEncoder();
      try {
        while (stalled.length < 1000) {
          const conn = await Deno.connect({ hostname: "127.0.0.1", port });
          stalled.push(conn);
          await conn.write(encoder.encode("GET / HTTP/1.1\r\nHost: localhost\r\n"));
        }
      } catch { /* refused: the server is out of files */ }
      assert.ok(stalled.length < 1000, `the limit was never reached (${stalled.length} open)`);
      // Wait until Cardflow has seen the limit (it logs it), then check it is still running.
      while (!/stopped accepting connections/.test(app.output())) {
        if (exited) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.equal(exited, false, `Cardflow exited:\n${app.output()}`);
      // The start-up backup comes due with the files still taken: it must not start a
      // thread it has no descriptors for (Deno would panic); here it cannot even open the
      // database, and says so.
      const deadline = Date.now() + 10_000;
      while (!/start-up backup/.test(app.output()) && !exited && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.match(app.output(), /start-up backup/);
      assert.doesNotMatch(app.output(), /worker thread/);
      assert.equal(exited, false, `Cardflow exited:\n${app.output()}`);
      for (const conn of stalled.splice(0)) conn.close();
      let status = 0;
      while (status !== 200 && !exited) {
        status = await fetch(app.url + "/tasks").then(async (r) => {
          await r.body?.cancel();
          return r.status;
        }).catch(() => 0);
        if (status !== 200) await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal(status, 200, app.output());
      assert.equal(await app.stop(), 0);
    } finally {
      for (const conn of stalled) conn.close();
      if (!exited) await app.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
