/**
 * @module
 * Starts Cardflow on a port and stops it cleanly: open requests finish, then
 * the database is checkpointed and closed. `main.ts` and the tests both use it.
 *
 * `Deno.serve` stops listening for good when accepting a connection fails (as
 * it does at the process's open-file limit, which stalled connections reach:
 * it has no header timeout, see SECURITY.md). So a listener that ends without
 * being asked to is opened again on the same port, backing off while the
 * files are taken; the connections already open are served throughout.
 */

import type { Config } from "../lib/config.ts";
import type { Logger } from "../lib/log.ts";
import { isWildcard } from "../lib/security.ts";
import { createRuntime, type Runtime, type RuntimeOptions } from "./runtime.ts";

/** A running Cardflow. */
export interface Server {
  /** `http://localhost:PORT`, no trailing slash. */
  url: string;
  /** What to open in the browser: `url` with `/?token=…` when the access token is on. */
  loginUrl: string;
  port: number;
  runtime: Runtime;
  /** Stop accepting, finish open requests, close the database. Idempotent. */
  shutdown(): Promise<void>;
  /** Resolves when the server has stopped. */
  finished: Promise<void>;
}

/** The URL people should open for `config` listening on `port`. */
export function publicUrl(config: Config, port: number): string {
  const host = isWildcard(config.host) || config.host === "127.0.0.1" ? "localhost" : config.host;
  return `http://${host.includes(":") && !host.startsWith("[") ? `[${host}]` : host}:${port}`;
}

/** Start Cardflow. */
export async function startServer(
  options: Omit<RuntimeOptions, "log"> & { log: Logger },
): Promise<Server> {
  const { config, log } = options;
  if (config.dataDir !== ":memory:") {
    await Deno.mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  }
  const runtime = createRuntime(options);
  const controller = new AbortController();
  const listening = Promise.withResolvers<Deno.NetAddr>();
  const serve = (port: number, onListen: (address: Deno.NetAddr) => void) =>
    Deno.serve({
      hostname: config.host,
      port,
      signal: controller.signal,
      onListen: (address) => onListen(address as Deno.NetAddr),
      onError(error) {
        log.error("request failed outside the app", error);
        return new Response("Internal error", { status: 500 });
      },
    }, runtime.fetch);
  const first = serve(config.port, listening.resolve);
  const address = await listening.promise;
  const finished = keepListening(first, {
    stopped: controller.signal,
    log,
    listen: () => serve(address.port, () => log.info(`listening again on port ${address.port}`)),
  });
  const url = publicUrl(config, address.port);
  log.info(`Cardflow is listening on ${url}/ (data in ${config.dataDir})`);

  let stopping: Promise<void> | undefined;
  const loginUrl = runtime.token ? `${url}/?token=${runtime.token}` : `${url}/`;
  return {
    url,
    loginUrl,
    port: address.port,
    runtime,
    finished,
    shutdown() {
      stopping ??= (async () => {
        log.info("stopping: finishing open requests");
        controller.abort();
        runtime.stop();
        await finished;
        await runtime.close();
        log.info("stopped; database closed");
      })();
      return stopping;
    },
  };
}

/**
 * Resolve when `server` (or the one that replaced it) ends because `stopped`
 * aborted; until then, open a new listener with `listen` each time one fails.
 */
async function keepListening(
  server: Deno.HttpServer,
  options: { stopped: AbortSignal; log: Logger; listen: () => Deno.HttpServer },
): Promise<void> {
  let wait = 50;
  let since = Date.now();
  for (;;) {
    try {
      await server.finished;
      if (options.stopped.aborted) return;
      options.log.error("the server stopped listening without being asked to; listening again");
    } catch (error) {
      if (options.stopped.aborted) return;
      options.log.error(
        `the server stopped accepting connections (${(error as Error).message}); ` +
          "listening again once it can",
      );
    }
    // A listener that failed at once means the files are still taken: wait longer each time.
    wait = Date.now() - since > 5000 ? 50 : Math.min(wait * 2, 2000);
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, wait));
      if (options.stopped.aborted) return;
      try {
        server = options.listen();
        since = Date.now();
        break;
      } catch (error) {
        wait = Math.min(wait * 2, 2000);
        options.log.debug(`listening again failed: ${(error as Error).message}`);
      }
    }
  }
}
