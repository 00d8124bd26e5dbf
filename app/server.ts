/**
 * @module
 * Starts Cardflow on a port and stops it cleanly: open requests finish, then
 * the database is checkpointed and closed. `main.ts` and the tests both use it.
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
  const server = Deno.serve({
    hostname: config.host,
    port: config.port,
    signal: controller.signal,
    onListen: (address) => listening.resolve(address as Deno.NetAddr),
    onError(error) {
      log.error("request failed outside the app", error);
      return new Response("Internal error", { status: 500 });
    },
  }, runtime.fetch);
  const address = await listening.promise;
  const url = publicUrl(config, address.port);
  log.info(`Cardflow is listening on ${url}/ (data in ${config.dataDir})`);

  let stopping: Promise<void> | undefined;
  const loginUrl = runtime.token ? `${url}/?token=${runtime.token}` : `${url}/`;
  return {
    url,
    loginUrl,
    port: address.port,
    runtime,
    finished: server.finished,
    shutdown() {
      stopping ??= (async () => {
        log.info("stopping: finishing open requests");
        controller.abort();
        runtime.stop();
        await server.finished;
        runtime.close();
        log.info("stopped; database closed");
      })();
      return stopping;
    },
  };
}
