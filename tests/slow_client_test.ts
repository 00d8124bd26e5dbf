import assert from "node:assert/strict";
import { startTestServer } from "./helpers/browser.ts";

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
