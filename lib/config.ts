/**
 * @module
 * Configuration: flags, then environment variables, then defaults, in that
 * order. Parsing is pure (no I/O) so every precedence rule is testable; only
 * `main.ts` hands it the real `Deno.args` and environment.
 */

import { type Level, parseLevel } from "./log.ts";
import { isLoopback } from "./loopback.ts";
import { isHostPattern } from "./net_address.ts";

/** The name and version printed by `--version`. */
export const VERSION = "0.1.0";

/** Everything Cardflow can be told at start-up. */
export interface Config {
  port: number;
  host: string;
  /** Extra host names accepted in the `Host` header (besides loopback names). */
  allowedHosts: string[];
  dataDir: string;
  ollamaHost: string;
  /** Which kind of model server: Ollama, or any OpenAI-compatible chat endpoint. */
  llmApi: "ollama" | "openai";
  /** The OpenAI-compatible endpoint's base URL (ending in /v1, usually). */
  llmUrl?: string;
  /** Its key, read from CARDFLOW_LLM_KEY or OPENAI_API_KEY (never a flag: flags show in `ps`). */
  llmKey?: string;
  model: string;
  logLevel: Level;
  /** Largest request body accepted, in bytes. */
  maxBodyBytes: number;
  /** Messages kept in the chat history, system message included. */
  chatHistory: number;
  /** An answer that sends nothing for this long is stopped, in ms. */
  llmStallMs: number;
  /**
   * The model's context window in tokens: every prompt is fitted into it,
   * less room for the answer, and Ollama is asked to load the model with it.
   */
  llmContext: number;
  /** Open the browser once listening. */
  open: boolean;
  /** What `--open` runs first, from `BROWSER` (see `lib/browser.ts`); the system's opener when unset. */
  browser?: string;
  /** Dev mode: set by the `deno task dev` supervisor. */
  dev: boolean;
  /** A backup file to restore before starting. */
  restore?: string;
  /**
   * Hosts every workflow may fetch from besides the ones it declares
   * (`--net-host`, also `--allow-net-host`); only these may be loopback or
   * private addresses.
   */
  allowNetHosts: string[];
  /** Where backups are written; `<dataDir>/backups` when unset. */
  backupDir?: string;
  /**
   * Require the local access token (see SECURITY.md): on by default, always
   * on when `host` is not a loopback address.
   */
  token: boolean;
}

/** Defaults for everything but the data folder, which depends on how we run. */
export const DEFAULTS = {
  port: 5001,
  host: "127.0.0.1",
  ollamaHost: "http://127.0.0.1:11434",
  model: "llama3.2",
  logLevel: "info",
  maxBodyBytes: 1024 * 1024,
  chatHistory: 100,
  llmStallMs: 30_000,
  llmContext: 8192,
} as const;

/** What the parser needs to know about the world. */
export interface ConfigSource {
  args: string[];
  env: Record<string, string | undefined>;
  /** `Deno.build.standalone`: running as a compiled executable. */
  standalone: boolean;
  /** `Deno.execPath()`: the executable, for the compiled data folder. */
  execPath: string;
  /** `Deno.cwd()`: the data folder's parent when run from source. */
  cwd: string;
}

/** The outcome of parsing: run, or print something and exit. */
export type ParseResult =
  | { kind: "run"; config: Config }
  | { kind: "exit"; code: number; text: string };

/** A bad flag or variable; its message says which and why. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/** `--help` text. */
export const HELP = `Cardflow ${VERSION}: a local-first workflow workbench.

Usage: cardflow [options]

Options (each also read from the environment variable shown):
  --port N            port to listen on (CARDFLOW_PORT, default ${DEFAULTS.port}; 0 picks a free one)
  --host NAME         address to bind (CARDFLOW_HOST, default ${DEFAULTS.host})
  --allowed-host NAME extra Host header name to accept, repeatable (CARDFLOW_ALLOWED_HOSTS, comma list)
  --data-dir DIR      where the database, logs and uploads live (CARDFLOW_DATA_DIR, then
                      STATE_DIRECTORY; default ./data from source, data/ beside the executable)
  --ollama-host URL   Ollama server (OLLAMA_HOST, default ${DEFAULTS.ollamaHost})
  --llm-api API       ollama, or openai for any OpenAI-compatible chat endpoint (llama.cpp's
                      server, LM Studio, vLLM, a hosted API) (CARDFLOW_LLM_API, default ollama)
  --llm-url URL       the OpenAI-compatible endpoint, e.g. http://127.0.0.1:8080/v1
                      (CARDFLOW_LLM_URL); its key comes from CARDFLOW_LLM_KEY or OPENAI_API_KEY
  --model NAME        Ollama model (CARDFLOW_MODEL, default ${DEFAULTS.model})
  --llm-context N     the model's context window in tokens: prompts are fitted into it and
                      Ollama loads the model with it (CARDFLOW_LLM_CONTEXT, default ${DEFAULTS.llmContext})
  --log-level LEVEL   debug, info, warn, error or silent (CARDFLOW_LOG_LEVEL, default ${DEFAULTS.logLevel})
  --max-body BYTES    largest request body (CARDFLOW_MAX_BODY, default ${DEFAULTS.maxBodyBytes})
  --chat-history N    chat messages kept, system message included (CARDFLOW_CHAT_HISTORY, default ${DEFAULTS.chatHistory})
  --net-host NAME     let workflows fetch from this host, repeatable: example.com,
                      *.example.com, 127.0.0.1:8080 (CARDFLOW_ALLOW_NET_HOSTS, comma list;
                      --allow-net-host is the same flag, but makes deno run warn about
                      permission flags after the script)
  --restore FILE      restore the database from a backup file, then start (exit 6 if refused)
  --backup-dir DIR    where backups are kept, best on another disk (CARDFLOW_BACKUP_DIR,
                      default DATA-DIR/backups)
  --token, --no-token require the access token Cardflow prints in its URL (CARDFLOW_TOKEN=on|off,
                      default on; always on when --host is not a loopback address)
  --open              open the browser once listening, with the command in BROWSER if set
                      (%s stands for the URL), else the system's opener
  --help              print this help
  --version           print the version
`;

const VALUE_FLAGS = [
  "port",
  "host",
  "allowed-host",
  "data-dir",
  "ollama-host",
  "llm-api",
  "llm-url",
  "llm-context",
  "model",
  "log-level",
  "max-body",
  "chat-history",
  "restore",
  "net-host",
  "backup-dir",
] as const;
type ValueFlag = typeof VALUE_FLAGS[number];

/**
 * Other names a value flag answers to. `--allow-net-host` came first, but
 * `deno run` warns about any script argument that starts with `--allow-net`
 * (it takes it for a permission flag put after the script), so `--net-host`
 * is the name shown.
 */
const ALIASES: ReadonlyMap<string, ValueFlag> = new Map([["allow-net-host", "net-host"]]);

function readFlags(args: string[]): { values: Map<ValueFlag, string[]>; bools: Set<string> } {
  const values = new Map<ValueFlag, string[]>();
  const bools = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    // `deno task start -- --port 8000` hands the script the `--` too: it ends no options here.
    if (arg === "--") continue;
    if (!arg.startsWith("--")) throw new ConfigError(`unexpected argument "${arg}" (see --help)`);
    const eq = arg.indexOf("=");
    const given = arg.slice(2, eq === -1 ? undefined : eq);
    const name = ALIASES.get(given) ?? given;
    if (["help", "version", "open", "dev", "token", "no-token"].includes(name)) {
      if (eq !== -1) throw new ConfigError(`--${name} takes no value`);
      // The later of --token and --no-token wins.
      if (name === "token") bools.delete("no-token");
      if (name === "no-token") bools.delete("token");
      bools.add(name);
      continue;
    }
    if (!VALUE_FLAGS.includes(name as ValueFlag)) {
      throw new ConfigError(`unknown option --${name} (see --help)`);
    }
    const value = eq === -1 ? args[++i] : arg.slice(eq + 1);
    if (value === undefined) throw new ConfigError(`--${given} needs a value`);
    const list = values.get(name as ValueFlag) ?? [];
    list.push(value);
    values.set(name as ValueFlag, list);
  }
  return { values, bools };
}

function integer(value: string, what: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new ConfigError(`${what} must be a whole number from ${min} to ${max}, got "${value}"`);
  }
  return n;
}

function url(value: string, what: string): string {
  const withScheme = /^https?:\/\//.test(value) ? value : `http://${value}`;
  try {
    const parsed = new URL(withScheme);
    return parsed.origin;
  } catch {
    throw new ConfigError(`${what} must be a URL like http://127.0.0.1:11434, got "${value}"`);
  }
}

/** A URL kept whole (path included): the OpenAI-compatible base URL. */
function endpoint(value: string, what: string): string {
  try {
    const parsed = new URL(/^https?:\/\//.test(value) ? value : `http://${value}`);
    return parsed.href.replace(/\/$/, "");
  } catch {
    throw new ConfigError(`${what} must be a URL like http://127.0.0.1:8080/v1, got "${value}"`);
  }
}

function dirname(path: string): string {
  const i = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
  return i <= 0 ? (i === 0 ? "/" : ".") : path.slice(0, i);
}

function join(a: string, b: string): string {
  return a.endsWith("/") || a.endsWith("\\") ? a + b : `${a}/${b}`;
}

function tokenSetting(
  bools: Set<string>,
  variable: string | undefined,
  host: string,
): boolean {
  let on = true;
  if (bools.has("token") || bools.has("no-token")) on = bools.has("token");
  else if (variable) {
    const value = variable.trim().toLowerCase();
    if (["on", "1", "true", "yes"].includes(value)) on = true;
    else if (["off", "0", "false", "no"].includes(value)) on = false;
    else throw new ConfigError(`CARDFLOW_TOKEN must be on or off, got "${variable}"`);
  }
  if (!on && !isLoopback(host)) {
    throw new ConfigError(
      `the access token cannot be turned off with --host ${host}: anyone who can reach that ` +
        `address could use Cardflow as you. Drop --no-token (or CARDFLOW_TOKEN=off), or bind ` +
        `to 127.0.0.1`,
    );
  }
  return on;
}

/** The data folder when none is given: systemd's, beside the binary, or ./data. */
export function defaultDataDir(source: ConfigSource): string {
  const state = source.env.STATE_DIRECTORY?.split(":")[0];
  if (state) return state;
  if (source.standalone) return join(dirname(source.execPath), "data");
  return join(source.cwd, "data");
}

/** Parse flags and environment into a {@linkcode Config}, or an exit request. */
export function parseConfig(source: ConfigSource): ParseResult {
  const { values, bools } = readFlags(source.args);
  if (bools.has("help")) return { kind: "exit", code: 0, text: HELP };
  if (bools.has("version")) return { kind: "exit", code: 0, text: `cardflow ${VERSION}\n` };
  const env = source.env;
  const pick = (flag: ValueFlag, variable?: string): string | undefined =>
    values.get(flag)?.at(-1) ?? (variable ? env[variable] || undefined : undefined);

  const port = pick("port", "CARDFLOW_PORT");
  const maxBody = pick("max-body", "CARDFLOW_MAX_BODY");
  const history = pick("chat-history", "CARDFLOW_CHAT_HISTORY");
  const llmContext = pick("llm-context", "CARDFLOW_LLM_CONTEXT");
  const level = pick("log-level", "CARDFLOW_LOG_LEVEL");
  const ollama = pick("ollama-host", "OLLAMA_HOST");
  const llmApi = pick("llm-api", "CARDFLOW_LLM_API") ?? "ollama";
  if (llmApi !== "ollama" && llmApi !== "openai") {
    throw new ConfigError(`--llm-api must be ollama or openai, got "${llmApi}"`);
  }
  const llmUrl = pick("llm-url", "CARDFLOW_LLM_URL");
  if (llmApi === "openai" && !llmUrl) {
    throw new ConfigError(
      "--llm-api openai needs --llm-url (for example http://127.0.0.1:8080/v1)",
    );
  }
  const host = pick("host", "CARDFLOW_HOST") ?? DEFAULTS.host;
  if (!/^[A-Za-z0-9.:\-\[\]]+$/.test(host)) throw new ConfigError(`--host: bad address "${host}"`);
  const allowed = [
    ...(env.CARDFLOW_ALLOWED_HOSTS?.split(",") ?? []),
    ...(values.get("allowed-host") ?? []),
  ].map((h) => h.trim().toLowerCase()).filter(Boolean);

  const netHosts = [
    ...(env.CARDFLOW_ALLOW_NET_HOSTS?.split(",") ?? []),
    ...(values.get("net-host") ?? []),
  ].map((h) => h.trim().toLowerCase()).filter(Boolean);
  const badHost = netHosts.find((h) => !isHostPattern(h));
  if (badHost !== undefined) {
    throw new ConfigError(
      `--net-host: "${badHost}" is not a host like example.com, *.example.com or 127.0.0.1:8080`,
    );
  }

  let logLevel: Level;
  try {
    logLevel = parseLevel(level ?? DEFAULTS.logLevel);
  } catch (error) {
    throw new ConfigError(`--log-level: ${(error as Error).message}`);
  }
  const config: Config = {
    port: port === undefined ? DEFAULTS.port : integer(port, "--port", 0, 65535),
    host,
    allowedHosts: allowed,
    dataDir: pick("data-dir", "CARDFLOW_DATA_DIR") ?? defaultDataDir(source),
    ollamaHost: ollama === undefined ? DEFAULTS.ollamaHost : url(ollama, "--ollama-host"),
    llmApi,
    ...(llmUrl ? { llmUrl: endpoint(llmUrl, "--llm-url") } : {}),
    ...(env.CARDFLOW_LLM_KEY || env.OPENAI_API_KEY
      ? { llmKey: env.CARDFLOW_LLM_KEY || env.OPENAI_API_KEY }
      : {}),
    model: pick("model", "CARDFLOW_MODEL") ?? DEFAULTS.model,
    logLevel,
    maxBodyBytes: maxBody === undefined
      ? DEFAULTS.maxBodyBytes
      : integer(maxBody, "--max-body", 1024, 1024 ** 3),
    chatHistory: history === undefined
      ? DEFAULTS.chatHistory
      : integer(history, "--chat-history", 2, 100_000),
    llmStallMs: DEFAULTS.llmStallMs,
    llmContext: llmContext === undefined
      ? DEFAULTS.llmContext
      : integer(llmContext, "--llm-context", 4096, 1024 * 1024),
    open: bools.has("open"),
    dev: bools.has("dev") || env.CARDFLOW_DEV === "1",
    allowNetHosts: [...new Set(netHosts)],
    token: tokenSetting(bools, env.CARDFLOW_TOKEN || undefined, host),
  };
  const restore = pick("restore");
  if (restore) config.restore = restore;
  const backupDir = pick("backup-dir", "CARDFLOW_BACKUP_DIR");
  if (backupDir) config.backupDir = backupDir;
  if (env.BROWSER?.trim()) config.browser = env.BROWSER.trim();
  return { kind: "run", config };
}

/**
 * A config for tests and tools: defaults plus the given fields. The access
 * token is off here (tests call the app directly); `browserTest` turns it on
 * and logs the browser in, as a person would.
 */
export function testConfig(overrides: Partial<Config> = {}): Config {
  return {
    port: 0,
    host: DEFAULTS.host,
    allowedHosts: [],
    dataDir: ":memory:",
    ollamaHost: DEFAULTS.ollamaHost,
    llmApi: "ollama",
    model: DEFAULTS.model,
    logLevel: "silent",
    maxBodyBytes: DEFAULTS.maxBodyBytes,
    chatHistory: DEFAULTS.chatHistory,
    llmStallMs: DEFAULTS.llmStallMs,
    llmContext: DEFAULTS.llmContext,
    open: false,
    dev: false,
    allowNetHosts: [],
    token: false,
    ...overrides,
  };
}
