/**
 * @module
 * The one place an error becomes an HTTP status and a message. Domain errors
 * know nothing of HTTP; {@linkcode describeError} maps each class to what a
 * person is told, and {@linkcode errorResponse} renders it: a notice in
 * `#flash` for htmx, a page for a browser, plain text for anyone else.
 */

import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { Notice } from "../components/layout.tsx";
import { BackupError } from "../lib/backup.ts";
import {
  ConflictError,
  DatabaseFileError,
  DiskFullError,
  isDiskFull,
  NotFoundError,
  SchemaError,
  ValidationError,
} from "../lib/errors.ts";
import { StateError } from "../pipeline/workflow/machine.ts";
import { ContextError } from "../services/context.ts";
import type { Deps } from "./deps.ts";
import { render } from "./shell.tsx";

/** The status codes Cardflow answers errors with. */
export type ErrorStatus = 400 | 403 | 404 | 409 | 413 | 415 | 422 | 500 | 507;

/** What a person is told about `error`. */
export interface ErrorDescription {
  status: ErrorStatus;
  message: string;
  /** The page no longer matches the data: offer a reload. */
  reload?: boolean;
}

const SERVER_FAULT = "Something went wrong on the server. The details are in the log.";

/** Map any thrown value to a status and a message; unknown errors stay in the log. */
export function describeError(error: unknown): ErrorDescription {
  if (error instanceof ContextError) return { status: 409, message: error.message, reload: true };
  if (error instanceof ConflictError) return { status: 409, message: error.message, reload: true };
  if (error instanceof StateError) return { status: 409, message: error.message };
  if (error instanceof NotFoundError) return { status: 404, message: error.message };
  if (error instanceof ValidationError) return { status: 422, message: error.message };
  if (error instanceof BackupError) {
    // Its message says what was backed up or restored, and why not, in plain words.
    return { status: isDiskFull(error) ? 507 : 422, message: error.message };
  }
  if (error instanceof DiskFullError || isDiskFull(error)) {
    return {
      status: 507,
      message:
        "The disk is full, so nothing was saved. Free some space on the disk that holds Cardflow's data folder, then try again.",
    };
  }
  // Safe to show: it names the file and what is wrong with it, nothing else.
  if (error instanceof DatabaseFileError) return { status: 500, message: error.message };
  if (error instanceof HTTPException) {
    const status = error.status as ErrorStatus;
    if (status === 413) {
      return { status, message: "The request is too large for Cardflow to accept." };
    }
    return { status, message: error.message || SERVER_FAULT };
  }
  if (error instanceof SchemaError) return { status: 500, message: SERVER_FAULT };
  return { status: 500, message: SERVER_FAULT };
}

/** Answer `description` in the form the request wants. */
export function errorResponse(
  c: Context,
  deps: Deps,
  description: ErrorDescription,
): Response | Promise<Response> {
  const { status, message } = description;
  const box = (
    <Notice kind="error">
      {message}
      {description.reload && (
        <>
          {" "}
          <button type="button" class="link" data-action="reload">Reload</button>
        </>
      )}
    </Notice>
  );
  if (c.req.header("hx-request") === "true") {
    c.header("HX-Retarget", "#flash");
    c.header("HX-Reswap", "innerHTML");
    return c.html(box, status);
  }
  if (!(c.req.header("accept") ?? "").includes("text/html")) return c.text(message, status);
  try {
    return render(c, deps, <section class="card">{box}</section>, {
      title: status === 404 ? "Not found" : "Error",
      status,
    });
  } catch {
    return c.text(message, status);
  }
}
