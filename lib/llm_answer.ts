/**
 * @module
 * One streamed chat request as every backend makes it: POST the JSON body
 * under a watch, refuse a non-OK response, read the body as lines, and map
 * whatever breaks to an {@linkcode LlmError}. A backend gives only what is
 * its own: the endpoint, the body, how it reads a refusal and its lines.
 */

import { failure, type FailureContext, type LlmError, readErrorText } from "./llm_error.ts";
import { explain, readLines, watchStream } from "./llm_stream.ts";

/** One streamed chat request for {@linkcode streamAnswer}; only the wire format differs. */
export interface AnswerRequest<T> {
  /** The endpoint to POST to. */
  url: string;
  /** Who answers, for the errors. */
  context: FailureContext;
  /** The caller's signal: aborting it stops the answer. */
  signal?: AbortSignal;
  /** Headers besides `content-type: application/json`, such as `accept`. */
  headers: Record<string, string>;
  /** The JSON body, built under the watch so that whatever it throws is explained too. */
  body(): unknown;
  /** The error for a non-OK response, from its status and the start of its error body. */
  refuse(status: number, text: string): LlmError;
  /** The answer's parts, parsed from the body's lines. */
  read(lines: AsyncGenerator<string>): AsyncGenerator<T>;
}

/** The limits {@linkcode streamAnswer} applies (a backend's options carry them all). */
export interface AnswerLimits {
  startMs: number;
  stallMs: number;
  maxLineChars: number;
  maxErrorChars: number;
}

/**
 * POST `request` under a {@linkcode watchStream}, refuse a non-OK response,
 * and yield what `request.read` makes of the body's lines. Whatever breaks on
 * the way, parsing included, comes out as an {@linkcode LlmError} (see
 * {@linkcode explain}); the request is closed however the answer ends.
 */
export async function* streamAnswer<T>(
  request: AnswerRequest<T>,
  limits: AnswerLimits,
): AsyncGenerator<T> {
  const { context } = request;
  const watch = watchStream({
    signal: request.signal,
    startMs: limits.startMs,
    stallMs: limits.stallMs,
  });
  let connected = false;
  try {
    const response = await fetch(request.url, {
      method: "POST",
      headers: { "content-type": "application/json", ...request.headers },
      body: JSON.stringify(request.body()),
      signal: watch.signal,
    });
    connected = true;
    watch.streaming();
    if (!response.ok) {
      throw request.refuse(response.status, await readErrorText(response, limits.maxErrorChars));
    }
    if (!response.body) throw failure("cut", context);
    const lines = readLines(response.body, {
      watch,
      context,
      maxLineChars: limits.maxLineChars,
    });
    yield* request.read(lines);
  } catch (error) {
    throw explain(error, watch, context, { connected, ...limits });
  } finally {
    watch.close();
  }
}
