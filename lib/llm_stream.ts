/**
 * @module
 * Reading a streamed answer: a watch that aborts the request on the caller's
 * signal or when the server goes quiet, a line reader that hands each line
 * on as soon as it arrives, Server-Sent Events framing on top of it, and the
 * mapping of whatever broke to an {@linkcode LlmError}.
 */

import { failure, type FailureContext, LlmError, readErrorText, serverName } from "./llm_error.ts";

/** Watches one request: aborts it when the caller stops or nothing arrives in time. */
export interface StreamWatch {
  /** Give this to `fetch`. */
  readonly signal: AbortSignal;
  /** Something arrived: the stall clock starts again. */
  touch(): void;
  /** The headers arrived: from now on the limit is `stallMs` rather than `startMs`. */
  streaming(): void;
  /** Why the request was aborted, if it was. */
  why(): "start" | "stall" | "stopped" | undefined;
  /** Stop watching and abort the request if it is still open. */
  close(): void;
}

/** Watch a request; `startMs` covers the wait for headers (a model may be loading). */
export function watchStream(
  options: { signal?: AbortSignal; startMs: number; stallMs: number },
): StreamWatch {
  const controller = new AbortController();
  let why: "start" | "stall" | "stopped" | undefined;
  let limit = options.startMs;
  let phase: "start" | "stall" = "start";
  let last = performance.now();
  // One timer per request, re-armed only when it fires: a token costs a timestamp, not a timer.
  let timer: ReturnType<typeof setTimeout> | undefined;
  function check(): void {
    const idle = performance.now() - last;
    if (idle < limit) {
      timer = setTimeout(check, limit - idle);
      return;
    }
    why ??= phase;
    controller.abort();
  }
  function stop(): void {
    why ??= "stopped";
    controller.abort();
  }
  timer = setTimeout(check, limit);
  if (options.signal?.aborted) stop();
  else options.signal?.addEventListener("abort", stop, { once: true });
  return {
    signal: controller.signal,
    touch() {
      last = performance.now();
    },
    streaming() {
      phase = "stall";
      limit = options.stallMs;
      last = performance.now();
      clearTimeout(timer);
      timer = setTimeout(check, limit);
    },
    why: () => why,
    close() {
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", stop);
      controller.abort();
    },
  };
}

/** Options for {@linkcode readLines}. */
export interface LineOptions {
  watch: StreamWatch;
  context: FailureContext;
  /** A line longer than this is refused as malformed rather than held in memory. */
  maxLineChars: number;
}

/** The lines of `body` (without `\n` or `\r`), each as soon as it is complete. */
export async function* readLines(
  body: ReadableStream<Uint8Array>,
  options: LineOptions,
): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  const reader = body.getReader();
  let buffer = "";
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      options.watch.touch();
      buffer += decoder.decode(value, { stream: true });
      let start = 0;
      let end: number;
      while ((end = buffer.indexOf("\n", start)) !== -1) {
        yield strip(buffer.slice(start, end));
        start = end + 1;
      }
      buffer = start ? buffer.slice(start) : buffer;
      if (buffer.length > options.maxLineChars) {
        throw failure(
          "malformed",
          options.context,
          `line of over ${options.maxLineChars} characters`,
        );
      }
    }
    buffer += decoder.decode();
    if (buffer !== "") yield strip(buffer);
  } finally {
    reader.releaseLock();
  }
}

function strip(line: string): string {
  return line.endsWith("\r") ? line.slice(0, -1) : line;
}

/** One Server-Sent Event; `event` is "message" unless the server named it. */
export interface SseEvent {
  event: string;
  data: string;
}

/** Group `lines` into Server-Sent Events (only the `event` and `data` fields matter here). */
export async function* readEvents(lines: AsyncIterable<string>): AsyncGenerator<SseEvent> {
  let event = "message";
  let data: string[] = [];
  for await (const line of lines) {
    if (line === "") {
      if (data.length) yield { event, data: data.join("\n") };
      event = "message";
      data = [];
      continue;
    }
    if (line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? "" : line.slice(line[colon + 1] === " " ? colon + 2 : colon + 1);
    if (field === "data") data.push(value);
    else if (field === "event") event = value;
    // llama.cpp before September 2025 sent mid-stream errors as a bare `error:` field.
    else if (field === "error") yield { event: "error", data: value };
  }
  // A last event without its blank line still counts: the stream's end decides what is missing.
  if (data.length) yield { event, data: data.join("\n") };
}

/** "30" for 30 000 ms, "0.8" for 800 ms. */
function seconds(ms: number): string {
  return ms >= 10_000 ? String(Math.round(ms / 1000)) : String(Math.round(ms / 100) / 10);
}

/** Map whatever a request threw to an {@linkcode LlmError}; `connected` once headers arrived. */
export function explain(
  error: unknown,
  watch: StreamWatch,
  context: FailureContext,
  limits: { connected: boolean; startMs: number; stallMs: number },
): LlmError {
  if (error instanceof LlmError) return error;
  const why = watch.why();
  const name = serverName(context.api, true);
  if (why === "stopped") return failure("stopped", context);
  if (why === "stall") {
    return failure(
      "stall",
      context,
      `${name} stopped sending for ${seconds(limits.stallMs)} s; the answer was stopped.`,
    );
  }
  if (why === "start") {
    return failure(
      "stall",
      context,
      `${name} did not start answering within ${seconds(limits.startMs)} s; ` +
        "the answer was stopped. A large model can take long to load: try again.",
    );
  }
  // Refused or unreachable before the answer began; broken off after it began.
  return failure(limits.connected ? "cut" : "down", context);
}

/**
 * GET a server's model list as JSON, with the failure kinds every backend
 * uses: "down" when it does not answer, "http" for an error status,
 * "malformed" for a body that is not JSON.
 */
export async function fetchModelList(
  url: string,
  context: FailureContext,
  options: { headers?: HeadersInit; timeoutMs: number; maxErrorChars: number },
): Promise<Record<string, unknown> | undefined> {
  let response: Response;
  try {
    response = await fetch(url, {
      headers: options.headers,
      signal: AbortSignal.timeout(options.timeoutMs),
    });
  } catch {
    throw failure("down", context);
  }
  if (!response.ok) {
    const text = await readErrorText(response, options.maxErrorChars);
    throw failure("http", context, text, response.status);
  }
  try {
    return await response.json();
  } catch {
    throw new LlmError(
      `${serverName(context.api, true)} sent a model list Cardflow could not read.`,
      { kind: "malformed" },
    );
  }
}

/** Whether a server answers: its model list can be read. */
export function healthyFrom(models: () => Promise<unknown>): () => Promise<boolean> {
  return async function healthy() {
    try {
      await models();
      return true;
    } catch {
      return false;
    }
  };
}
