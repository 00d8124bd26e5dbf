/**
 * @module
 * Memory over cycles of many WebSockets (issue 15): open 1,000 chat sockets
 * against the real server, close them, force a garbage collection, and read
 * the live heap; repeat. The live heap must come back to where it was: RSS
 * keeps V8's high-water mark (SECURITY.md explains), so it is reported but
 * not judged. Run alone with `--v8-flags=--expose-gc`, as the bench does.
 */

import { testConfig } from "../lib/config.ts";
import { silentLogger } from "../lib/log.ts";
import { startServer } from "../app/server.ts";
import { PLUGINS } from "../plugins/manifest.gen.ts";
import { ROUTES } from "../routes/manifest.gen.ts";
import { EMBEDDED, LAZY } from "../static/mod.ts";

/** What {@linkcode measureSockets} found, in MB. */
export interface SocketFigures {
  /** Live heap after the first cycle (the first one warms code and caches up). */
  firstMb: number;
  /** Live heap after the last cycle. */
  lastMb: number;
  /** Resident memory after the last cycle. */
  rssMb: number;
}

/** `cycles` rounds of `count` sockets opened together and closed. */
export async function measureSockets(count = 1000, cycles = 10): Promise<SocketFigures> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error("run with --v8-flags=--expose-gc");
  const dataDir = await Deno.makeTempDir({ prefix: "cardflow-sockets-" });
  const server = await startServer({
    config: testConfig({ dataDir }),
    log: silentLogger(),
    routes: ROUTES,
    plugins: PLUGINS,
    files: EMBEDDED,
    lazyFiles: LAZY,
  });
  const heapMb = async () => {
    // Let closes finish on both ends, then collect twice (weak references clear on the second).
    await new Promise((r) => setTimeout(r, 200));
    gc();
    gc();
    return Deno.memoryUsage().heapUsed / 1024 / 1024;
  };
  let first = 0;
  for (let cycle = 1; cycle <= cycles; cycle++) {
    const sockets = await Promise.all(
      Array.from({ length: count }, () =>
        new Promise<WebSocket>((resolve, reject) => {
          const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws`);
          ws.onopen = () => resolve(ws);
          ws.onerror = () => reject(new Error("a socket did not open"));
        })),
    );
    if (server.runtime.chat().sockets() !== count) {
      throw new Error(`the hub holds ${server.runtime.chat().sockets()} sockets, not ${count}`);
    }
    await Promise.all(sockets.map((ws) =>
      new Promise<void>((resolve) => {
        ws.onclose = () => resolve();
        ws.close();
      })
    ));
    for (let i = 0; i < 50 && server.runtime.chat().sockets() > 0; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    if (cycle === 1) first = await heapMb();
  }
  const last = await heapMb();
  const held = server.runtime.chat().sockets();
  await server.shutdown();
  await Deno.remove(dataDir, { recursive: true });
  if (held !== 0) throw new Error(`the hub still holds ${held} closed sockets`);
  return { firstMb: first, lastMb: last, rssMb: Deno.memoryUsage().rss / 1024 / 1024 };
}

if (import.meta.main) {
  const figures = await measureSockets();
  Deno.stdout.writeSync(new TextEncoder().encode(JSON.stringify(figures) + "\n"));
}
