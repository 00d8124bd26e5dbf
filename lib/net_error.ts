/**
 * @module
 * The one error `lib/net.ts` throws, the mapping from what Deno's `fetch` and the
 * resolver throw to its `kind`, and the sentence a workflow card shows a person.
 */

/** Why an outbound request was refused or failed. */
export type NetErrorKind =
  | "not-allowed"
  | "private-address"
  | "bad-url"
  | "dns"
  | "refused"
  | "timeout"
  | "status"
  | "too-large"
  | "redirects"
  | "aborted"
  | "network";

/** Options for {@linkcode NetError}. */
export interface NetErrorOptions {
  /** The URL of the hop that failed; credentials are removed before it is stored. */
  url: string | URL;
  /** Technical detail for the log. */
  message: string;
  /** The HTTP status, for kind "status". */
  status?: number;
  cause?: unknown;
}

/** Why an outbound request was refused or failed; `kind` lets the UI say it plainly. */
export class NetError extends Error {
  override name = "NetError";
  /** What went wrong, in one word the UI can switch on. */
  readonly kind: NetErrorKind;
  /** The URL that failed, without user name or password. */
  readonly url: string;
  /** The HTTP status, for kind "status". */
  readonly status?: number;

  constructor(kind: NetErrorKind, options: NetErrorOptions) {
    super(options.message, { cause: options.cause });
    this.kind = kind;
    this.url = withoutCredentials(options.url);
    if (options.status !== undefined) this.status = options.status;
  }
}

function withoutCredentials(url: string | URL): string {
  try {
    const copy = new URL(url);
    copy.username = "";
    copy.password = "";
    return copy.href;
  } catch {
    // Not a URL at all: it cannot carry parseable credentials, but may be long.
    return String(url).slice(0, 200);
  }
}

/** The URL as a person reads it: no query string (it may hold API keys), no fragment. */
function shortUrl(url: string): string {
  try {
    const { origin, pathname } = new URL(url);
    return origin + pathname;
  } catch {
    return url.slice(0, 80);
  }
}

/** One sentence for a person, e.g. for a workflow card. */
export function describeNetError(error: NetError): string {
  const url = shortUrl(error.url);
  switch (error.kind) {
    case "not-allowed":
      return `${url} was not fetched: its host is not on the list this workflow may reach.`;
    case "private-address":
      return `${url} was not fetched: it points to a local or private network address.`;
    case "bad-url":
      return `"${url}" was not fetched: only http:// and https:// addresses without a ` +
        `user name or password can be fetched.`;
    case "dns":
      return `${url} could not be reached: the name does not resolve (DNS).`;
    case "refused":
      return `${url} could not be reached: the server refused the connection.`;
    case "timeout":
      return `${url} did not answer in time.`;
    case "status":
      return `${url} answered with an error (HTTP ${error.status}).`;
    case "too-large":
      return `${url} sent more data than one response may hold.`;
    case "redirects":
      return `${url} redirected too many times.`;
    case "aborted":
      return `The request to ${url} was cancelled.`;
    case "network":
      return `${url} could not be reached: the connection failed.`;
  }
}

/** Options for {@linkcode toNetError}. */
export interface FailureContext {
  url: string | URL;
  /** The caller's signal: if it fired, the failure is an abort whatever was thrown. */
  caller?: AbortSignal;
  /** The deadline's signal. */
  timeout: AbortSignal;
  timeoutMs: number;
}

/** Whether Deno's permissions refused it: `NotCapable` from fetch, EPERM from getaddrinfo. */
export function isPermissionError(error: unknown): boolean {
  return error instanceof Deno.errors.NotCapable ||
    (error instanceof Error && (error as { code?: string }).code === "EPERM");
}

/** The messages of an error and its causes: Deno puts the reason in `cause`. */
function messages(error: unknown): string {
  const found: string[] = [];
  for (let e = error, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    found.push(e.message, (e as { code?: string }).code ?? "");
  }
  return found.join(" | ");
}

/**
 * A `NetError` for anything `fetch`, a body read or the resolver threw. Deno 2.9 rejects
 * with the signal's reason on abort and timeout, with `NotCapable` when a permission is
 * missing, and with `TypeError("fetch failed")` whose `cause` message says "dns error" or
 * "Connection refused" when connecting fails.
 */
export function toNetError(error: unknown, context: FailureContext): NetError {
  if (error instanceof NetError) return error;
  const { url } = context;
  const detail = messages(error);
  if (context.caller?.aborted) return new NetError("aborted", { url, message: "aborted" });
  if (context.timeout.aborted) {
    return new NetError("timeout", { url, message: `no answer within ${context.timeoutMs} ms` });
  }
  if (isPermissionError(error)) {
    return new NetError("not-allowed", { url, message: detail, cause: error });
  }
  if (error instanceof Deno.errors.ConnectionRefused || /connection refused/i.test(detail)) {
    return new NetError("refused", { url, message: detail, cause: error });
  }
  if (/dns error|ENOTFOUND|EAI_|getaddrinfo/i.test(detail)) {
    return new NetError("dns", { url, message: detail, cause: error });
  }
  return new NetError("network", { url, message: detail, cause: error });
}
