/**
 * @module
 * Cardflow's composition root: read the configuration, start the logger, load
 * the generated route and plugin manifests, serve, and stop cleanly on Ctrl+C
 * or SIGTERM. The only module that reads the real environment.
 *
 * Exit codes: 0 stopped cleanly, 2 a bad flag or variable, 3 a broken plugin,
 * 4 an unusable data folder, 5 the port is in use, 6 the database or a backup
 * cannot be used (`--restore` refused or rolled back, a database file that is
 * not a sound SQLite database). Each prints one line, never a stack trace.
 */

import { startServer } from "./app/server.ts";
import { BackupError } from "./lib/backup.ts";
import { type OpenCommand, openCommands } from "./lib/browser.ts";
import { ConfigError, parseConfig } from "./lib/config.ts";
import { DatabaseFileError } from "./lib/errors.ts";
import { createLogger } from "./lib/log.ts";
import { PluginError } from "./pipeline/base.ts";
import { PLUGINS } from "./plugins/manifest.gen.ts";
import { ROUTES } from "./routes/manifest.gen.ts";
import { EMBEDDED, LAZY, LOCAL_FILES } from "./static/mod.ts";

function fail(message: string, code: number): never {
  // The logger may not exist yet; this is the one place that writes directly.
  Deno.stderr.writeSync(new TextEncoder().encode(`cardflow: ${message}\n`));
  Deno.exit(code);
}

/** Run Cardflow with command-line `args`. */
export async function main(args: string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseConfig({
      args,
      env: Deno.env.toObject(),
      standalone: Deno.build.standalone,
      execPath: Deno.execPath(),
      cwd: Deno.cwd(),
    });
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message, 2);
    throw error;
  }
  if (parsed.kind === "exit") {
    Deno.stdout.writeSync(new TextEncoder().encode(parsed.text));
    Deno.exit(parsed.code);
  }
  const config = parsed.config;

  let server;
  try {
    // Folders Cardflow creates are owner-only; one that exists is left as its owner set it.
    await Deno.mkdir(`${config.dataDir}/logs`, { recursive: true, mode: 0o700 });
    const log = createLogger({
      level: config.logLevel,
      file: `${config.dataDir}/logs/cardflow.log`,
    });
    log.info(`Cardflow writes its database and logs in ${config.dataDir}`);
    server = await startServer({
      config,
      log,
      routes: ROUTES,
      plugins: PLUGINS,
      files: EMBEDDED,
      lazyFiles: LAZY,
      liveFiles: LOCAL_FILES,
    });
  } catch (error) {
    if (error instanceof PluginError) fail(error.message, 3);
    // 6: the database or a backup file cannot be used (--restore refused or rolled back).
    if (error instanceof BackupError || error instanceof DatabaseFileError) {
      fail(error.message, 6);
    }
    const fsErrors = [
      Deno.errors.PermissionDenied,
      Deno.errors.NotADirectory,
      Deno.errors.NotFound,
      Deno.errors.AlreadyExists,
      Deno.errors.IsADirectory,
    ];
    if (fsErrors.some((kind) => error instanceof kind)) {
      fail(`cannot write to the data folder ${config.dataDir}: ${(error as Error).message}`, 4);
    }
    if (error instanceof Deno.errors.AddrInUse) {
      fail(`port ${config.port} is in use; start with --port N to pick another`, 5);
    }
    const message = (error as Error).message ?? String(error);
    if (/disk|space|full|readonly|read-only|unable to open/i.test(message)) {
      fail(`cannot use the data folder ${config.dataDir}: ${message}`, 4);
    }
    throw error;
  }

  Deno.stdout.writeSync(new TextEncoder().encode(`Cardflow is running at ${server.url}/\n`));
  if (server.runtime.token) {
    // Printed, never logged: the log file is for diagnostics and gets shared.
    Deno.stdout.writeSync(
      new TextEncoder().encode(
        `Open ${server.loginUrl} to log this browser in` +
          (config.dataDir === ":memory:" ? ".\n" : ` (the token is in ${config.dataDir}/token).\n`),
      ),
    );
  }
  if (config.open) {
    openBrowser(openCommands(server.loginUrl, { browser: config.browser, os: Deno.build.os }));
  }

  const stop = () => server.shutdown().then(() => Deno.exit(0));
  Deno.addSignalListener("SIGINT", stop);
  if (Deno.build.os !== "windows") Deno.addSignalListener("SIGTERM", stop);
  await server.finished;
}

/** Run the first of `commands` that starts; when none does, the URL printed above is enough. */
function openBrowser(commands: OpenCommand[]): void {
  for (const { command, args } of commands) {
    try {
      new Deno.Command(command, { args, stdout: "null", stderr: "null" }).spawn();
      return;
    } catch {
      // Not installed, or not allowed to run (a BROWSER command needs --allow-run): the next.
    }
  }
}

if (import.meta.main) await main(Deno.args);
