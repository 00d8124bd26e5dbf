// deno-lint-ignore-file no-console -- the one module allowed to write to the console
/**
 * @module
 * The logger: levelled, human-readable console lines plus a size-rotated log
 * file under the data folder. It is the only module allowed to touch `console`.
 */

/** Log levels, quietest last. */
export const LEVELS = ["debug", "info", "warn", "error", "silent"] as const;
/** One of {@linkcode LEVELS}. */
export type Level = typeof LEVELS[number];

/** What every module receives as `deps.log`. */
export interface Logger {
  debug(message: string, data?: unknown): void;
  info(message: string, data?: unknown): void;
  warn(message: string, data?: unknown): void;
  error(message: string, data?: unknown): void;
  /** A logger whose lines carry `name` as their source. */
  child(name: string): Logger;
  /** Whether a line of `level` would be written anywhere. */
  enabled(level: Level): boolean;
  /** Flush and close the log file. */
  close(): void;
}

/** Options for {@linkcode createLogger}. */
export interface LoggerOptions {
  /** Lines below this level are dropped. */
  level?: Level;
  /** Level for the console; defaults to `level`. */
  consoleLevel?: Level;
  /** Path of the log file; none when omitted. */
  file?: string;
  /** Rotate the file when it grows past this many bytes. */
  maxBytes?: number;
  /** How many rotated files (`.1`, `.2`, ...) to keep. */
  keep?: number;
  /** Where console lines go (tests capture them). */
  sink?: (level: Level, line: string) => void;
}

/** Defaults for {@linkcode LoggerOptions}. */
export const LOGGER_DEFAULTS = { level: "info", maxBytes: 5 * 1024 * 1024, keep: 3 } as const;

/** Parse a level name, throwing a clear error for anything else. */
export function parseLevel(value: string): Level {
  const level = value.toLowerCase() as Level;
  if (!LEVELS.includes(level)) {
    throw new Error(`unknown log level "${value}" (use one of ${LEVELS.join(", ")})`);
  }
  return level;
}

function rank(level: Level): number {
  return LEVELS.indexOf(level);
}

/**
 * `text` on one line: control characters escaped, so text from outside (a
 * model's tool call, a form value) can never start a line of its own that
 * reads like one of Cardflow's.
 */
export function oneLine(text: string): string {
  // deno-lint-ignore no-control-regex -- finding control characters is the point
  return text.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, (c) => {
    if (c === "\n") return "\\n";
    if (c === "\r") return "\\r";
    if (c === "\t") return "\\t";
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
  });
}

function formatData(data: unknown): string {
  if (data === undefined) return "";
  if (data instanceof Error) {
    // The message may carry outside text; the stack frames after it are ours, indented.
    const head = `${data.name}: ${data.message}`;
    const stack = data.stack ?? head;
    return " " +
      (stack.startsWith(head) ? oneLine(head) + stack.slice(head.length) : oneLine(stack));
  }
  try {
    // JSON escapes control characters but not the line and paragraph separators.
    return " " + oneLine(JSON.stringify(data));
  } catch {
    return " " + oneLine(String(data));
  }
}

function consoleSink(level: Level, line: string): void {
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else console.log(line);
}

/** Create the application logger. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? LOGGER_DEFAULTS.level;
  const consoleLevel = options.consoleLevel ?? level;
  const maxBytes = options.maxBytes ?? LOGGER_DEFAULTS.maxBytes;
  const keep = options.keep ?? LOGGER_DEFAULTS.keep;
  const sink = options.sink ?? consoleSink;
  const encoder = new TextEncoder();
  let file: Deno.FsFile | undefined;
  let size = 0;

  function openFile(): void {
    if (!options.file) return;
    // Owner-only: the log names records and runs. A file from before is tightened too.
    file = Deno.openSync(options.file, { append: true, create: true, mode: 0o600 });
    const info = file.statSync();
    if (Deno.build.os !== "windows" && (info.mode ?? 0) & 0o077) {
      Deno.chmodSync(options.file, 0o600);
    }
    size = info.size;
  }

  function rotate(): void {
    if (!options.file || !file) return;
    file.close();
    for (let i = keep - 1; i >= 1; i--) {
      try {
        Deno.renameSync(`${options.file}.${i}`, `${options.file}.${i + 1}`);
      } catch { /* that generation does not exist yet */ }
    }
    Deno.renameSync(options.file, `${options.file}.1`);
    openFile();
  }

  function write(lineLevel: Level, source: string, message: string, data: unknown): void {
    const toFile = file && rank(lineLevel) >= rank(level);
    const toConsole = rank(lineLevel) >= rank(consoleLevel);
    if (!toFile && !toConsole) return;
    const stamp = new Date().toISOString();
    const line = `${stamp} ${lineLevel.toUpperCase().padEnd(5)} [${source}] ${oneLine(message)}${
      formatData(data)
    }`;
    if (toConsole) sink(lineLevel, line);
    if (toFile && file) {
      const bytes = encoder.encode(line + "\n");
      try {
        if (size + bytes.length > maxBytes && size > 0) rotate();
        file.writeSync(bytes);
        size += bytes.length;
      } catch (error) {
        sink("error", `log file write failed: ${(error as Error).message}`);
      }
    }
  }

  openFile();

  function make(source: string): Logger {
    return {
      debug: (m, d) => write("debug", source, m, d),
      info: (m, d) => write("info", source, m, d),
      warn: (m, d) => write("warn", source, m, d),
      error: (m, d) => write("error", source, m, d),
      child: (name) => make(`${source}:${name}`),
      enabled: (l) => rank(l) >= Math.min(rank(level), rank(consoleLevel)),
      close() {
        file?.close();
        file = undefined;
      },
    };
  }
  return make("cardflow");
}

/** A logger that drops everything; for tests that do not look at logs. */
export function silentLogger(): Logger {
  return createLogger({ level: "silent" });
}
