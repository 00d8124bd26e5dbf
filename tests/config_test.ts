import assert from "node:assert/strict";
import { ConfigError, type ConfigSource, DEFAULTS, HELP, parseConfig } from "@/lib/config.ts";
import { isLoopback, LOOPBACK_NAMES } from "@/lib/loopback.ts";

function source(
  args: string[] = [],
  env: Record<string, string> = {},
  more: Partial<ConfigSource> = {},
): ConfigSource {
  return {
    args,
    env,
    standalone: false,
    execPath: "/usr/bin/deno",
    cwd: "/home/me/cardflow",
    ...more,
  };
}

function run(s: ConfigSource) {
  const result = parseConfig(s);
  assert.equal(result.kind, "run");
  if (result.kind !== "run") throw new Error("expected a config");
  return result.config;
}

Deno.test("defaults apply when nothing is given", () => {
  const config = run(source());
  assert.equal(config.port, DEFAULTS.port);
  assert.equal(config.host, "127.0.0.1");
  assert.equal(config.dataDir, "/home/me/cardflow/data");
  assert.equal(config.ollamaHost, DEFAULTS.ollamaHost);
  assert.equal(config.logLevel, "info");
  assert.equal(config.maxBodyBytes, 1024 * 1024);
  assert.equal(config.llmContext, 8192);
});

Deno.test("a flag beats its environment variable, which beats the default", () => {
  assert.equal(run(source([], { CARDFLOW_PORT: "6000" })).port, 6000);
  assert.equal(run(source(["--port", "7000"], { CARDFLOW_PORT: "6000" })).port, 7000);
  assert.equal(run(source(["--port=7001"], { CARDFLOW_PORT: "6000" })).port, 7001);
  assert.equal(run(source([], { CARDFLOW_LOG_LEVEL: "debug" })).logLevel, "debug");
  assert.equal(
    run(source(["--log-level", "warn"], { CARDFLOW_LOG_LEVEL: "debug" })).logLevel,
    "warn",
  );
  assert.equal(
    run(source([], { OLLAMA_HOST: "127.0.0.1:9999" })).ollamaHost,
    "http://127.0.0.1:9999",
  );
  assert.equal(run(source(["--model", "qwen3"], { CARDFLOW_MODEL: "gemma" })).model, "qwen3");
  assert.equal(run(source([], { CARDFLOW_LLM_CONTEXT: "32768" })).llmContext, 32768);
  assert.equal(
    run(source(["--llm-context", "16384"], { CARDFLOW_LLM_CONTEXT: "32768" })).llmContext,
    16384,
  );
});

Deno.test("the data folder comes from the flag, the variable, systemd, the binary, then the working folder", () => {
  const env = {
    CARDFLOW_DATA_DIR: "/var/env",
    STATE_DIRECTORY: "/var/lib/cardflow:/var/lib/other",
  };
  assert.equal(run(source(["--data-dir", "/flag"], env)).dataDir, "/flag");
  assert.equal(run(source([], env)).dataDir, "/var/env");
  assert.equal(
    run(source([], { STATE_DIRECTORY: "/var/lib/cardflow:/x" })).dataDir,
    "/var/lib/cardflow",
  );
  assert.equal(
    run(source([], {}, { standalone: true, execPath: "/opt/cardflow/cardflow" })).dataDir,
    "/opt/cardflow/data",
  );
  assert.equal(run(source([], {}, { standalone: false })).dataDir, "/home/me/cardflow/data");
});

Deno.test("--help and --version ask to print and exit", () => {
  const help = parseConfig(source(["--help"]));
  assert.equal(help.kind, "exit");
  assert.match((help as { text: string }).text, /--data-dir/);
  const version = parseConfig(source(["--version"]));
  assert.match((version as { text: string }).text, /^cardflow \d+\.\d+\.\d+/);
});

Deno.test("bad flags and values are refused with a message naming them", () => {
  const cases: [string[], Record<string, string>, RegExp][] = [
    [["--port", "abc"], {}, /--port must be a whole number/],
    [["--port", "70000"], {}, /--port/],
    [[], { CARDFLOW_PORT: "-1" }, /--port/],
    [["--frobnicate"], {}, /unknown option --frobnicate/],
    [["--port"], {}, /--port needs a value/],
    [["--log-level", "loud"], {}, /--log-level: unknown log level "loud"/],
    [["stray"], {}, /unexpected argument "stray"/],
    [["--max-body", "10"], {}, /--max-body/],
    [["--llm-context", "1000"], {}, /--llm-context must be a whole number from 4096/],
    [["--host", "bad host;rm"], {}, /--host/],
  ];
  for (const [args, env, pattern] of cases) {
    assert.throws(() => parseConfig(source(args, env)), (error: unknown) => {
      assert.ok(error instanceof ConfigError, `${args.join(" ")} should throw ConfigError`);
      assert.match(error.message, pattern);
      return true;
    });
  }
});

Deno.test("allowed hosts come from the variable and repeated flags", () => {
  const config = run(
    source(["--allowed-host", "Box.Local", "--allowed-host", "nas"], {
      CARDFLOW_ALLOWED_HOSTS: "a.test, b.test",
    }),
  );
  assert.deepEqual(config.allowedHosts, ["a.test", "b.test", "box.local", "nas"]);
});

Deno.test("an OpenAI-compatible endpoint is chosen with --llm-api and --llm-url, its key only from the environment", () => {
  const config = run(
    source(["--llm-api", "openai", "--llm-url", "127.0.0.1:8080/v1/"], {
      CARDFLOW_LLM_KEY: "sk-local",
    }),
  );
  assert.equal(config.llmApi, "openai");
  assert.equal(config.llmUrl, "http://127.0.0.1:8080/v1");
  assert.equal(config.llmKey, "sk-local");
  assert.equal(run(source([], { OPENAI_API_KEY: "sk-2" })).llmKey, "sk-2");
  assert.equal(run(source([], {})).llmApi, "ollama");
  for (
    const [args, pattern] of [
      [["--llm-api", "openai"], /needs --llm-url/],
      [["--llm-api", "claude"], /must be ollama or openai/],
      [["--llm-key", "x"], /unknown option --llm-key/],
    ] as [string[], RegExp][]
  ) {
    assert.throws(() => parseConfig(source(args, {})), pattern);
  }
});

Deno.test("the access token is on by default, off with --no-token or CARDFLOW_TOKEN=off, on whatever is said off loopback", () => {
  assert.equal(run(source()).token, true);
  assert.equal(run(source(["--no-token"])).token, false);
  assert.equal(run(source([], { CARDFLOW_TOKEN: "off" })).token, false);
  assert.equal(
    run(source(["--token"], { CARDFLOW_TOKEN: "off" })).token,
    true,
    "flag beats variable",
  );
  assert.equal(run(source(["--token", "--no-token"])).token, false, "the later flag wins");
  assert.equal(run(source(["--no-token", "--token"])).token, true);
  assert.equal(run(source(["--host", "::1", "--no-token"])).token, false);
  assert.equal(run(source(["--host", "127.0.0.2", "--no-token"])).token, false);
  assert.equal(run(source(["--host", "0.0.0.0"])).token, true);
  for (
    const [args, env] of [
      [["--host", "0.0.0.0", "--no-token"], {}],
      [["--host", "192.168.1.20"], { CARDFLOW_TOKEN: "off" }],
      [[], { CARDFLOW_TOKEN: "maybe" }],
    ] as [string[], Record<string, string>][]
  ) {
    assert.throws(() => parseConfig(source(args, env)), ConfigError, args.join(" "));
  }
});

Deno.test("--backup-dir and CARDFLOW_BACKUP_DIR set the backup folder; unset, it is left to the data folder", () => {
  assert.equal(run(source()).backupDir, undefined);
  assert.equal(run(source([], { CARDFLOW_BACKUP_DIR: "/mnt/usb" })).backupDir, "/mnt/usb");
  assert.equal(
    run(source(["--backup-dir", "/srv/b"], { CARDFLOW_BACKUP_DIR: "/mnt/usb" })).backupDir,
    "/srv/b",
  );
});

/**
 * Whether `deno run` prints "Permission flags have likely been incorrectly set
 * after the script argument" for this script argument: Deno's own rule
 * (`has_permission_in_argv` in denoland/deno `cli/args/flags.rs`), which
 * applies when no `--allow-*` or `--deny-*` flag came before the script (a
 * `-P` permission set does not count, and `deno task start` uses one).
 */
function denoWarnsAbout(arg: string): boolean {
  const kinds = ["env", "ffi", "net", "read", "run", "sys", "write"];
  return arg === "--allow-all" ||
    kinds.some((k) => arg.startsWith(`--allow-${k}`) || arg.startsWith(`--deny-${k}`));
}

Deno.test("--net-host and its first name --allow-net-host add the same hosts; a lone -- is passed over", () => {
  const config = run(
    source(["--net-host", "Example.com", "--allow-net-host=127.0.0.1:8080", "--net-host=a.test"], {
      CARDFLOW_ALLOW_NET_HOSTS: "api.example.com",
    }),
  );
  assert.deepEqual(config.allowNetHosts, [
    "api.example.com",
    "example.com",
    "127.0.0.1:8080",
    "a.test",
  ]);
  // `deno task start -- --net-host x` gives the script the `--` as well.
  const dashed = run(source(["--", "--net-host", "example.com", "--port", "7000"]));
  assert.deepEqual(dashed.allowNetHosts, ["example.com"]);
  assert.equal(dashed.port, 7000);
  for (
    const [args, pattern] of [
      [["--net-host"], /--net-host needs a value/],
      [["--allow-net-host"], /--allow-net-host needs a value/],
      [["--net-host", "http://x/"], /--net-host: "http:\/\/x\/" is not a host like/],
      [["--allow-net-host", "http://x/"], /is not a host like/],
      [["--constructor", "x"], /unknown option --constructor/],
    ] as [string[], RegExp][]
  ) {
    assert.throws(() => parseConfig(source(args)), pattern, args.join(" "));
  }
});

Deno.test("no option --help shows, and no deno task example in the README, makes deno run warn about permission flags", async () => {
  assert.ok(denoWarnsAbout("--allow-net-host"), "the rule is Deno's: the old name trips it");
  assert.ok(!denoWarnsAbout("--net-host"));
  const options = [...HELP.matchAll(/(?:^ {2}|, )(--[a-z-]+)/gm)].map((m) => m[1]!);
  assert.ok(options.includes("--net-host"), "--help shows --net-host");
  assert.deepEqual(options.filter(denoWarnsAbout), []);
  const readme = await Deno.readTextFile(new URL("../README.md", import.meta.url));
  const tasks = readme.split("\n").filter((line) => /deno task (start|dev)\b/.test(line));
  assert.ok(tasks.some((line) => line.includes("--net-host")), "README starts one with --net-host");
  for (const line of tasks) {
    const code = line.replace(/#.*$/, "");
    assert.deepEqual(code.split(/[\s`]+/).filter(denoWarnsAbout), [], line);
  }
});

Deno.test("loopback is one rule: the names a browser uses, and every 127.x.x.x bind address", () => {
  for (const host of ["localhost", "LOCALHOST", "127.0.0.1", "127.9.8.7", "::1", "[::1]"]) {
    assert.equal(isLoopback(host), true, host);
  }
  for (const host of ["0.0.0.0", "::", "192.168.1.20", "localhost.evil.example", "1270.0.0.1"]) {
    assert.equal(isLoopback(host), false, host);
  }
  // The guard accepts the names alone: a Host of 127.0.0.2 is refused (http_test.ts).
  assert.deepEqual([...LOOPBACK_NAMES].sort(), ["127.0.0.1", "::1", "[::1]", "localhost"]);
});

Deno.test("BROWSER is what --open runs first; unset or blank, the system's opener", () => {
  assert.equal(run(source(["--open"], { BROWSER: " firefox %s " })).browser, "firefox %s");
  assert.equal(run(source(["--open"], { BROWSER: "  " })).browser, undefined);
  assert.equal(run(source(["--open"])).browser, undefined);
});
