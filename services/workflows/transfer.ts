/**
 * @module
 * Runs in and out: export a run as one JSON file (its files inside, base64),
 * import one — every step checked again against today's definition
 * (`replay.ts`), the first problem named, nothing stored unless all of it
 * is — clone a run up to a step, read a start link's values, and compute a
 * step's downloads and the files a run keeps. Reads never write; each write is one transaction.
 */

import { Buffer } from "node:buffer";
import { toCsv } from "../../lib/csv.ts";
import { ConflictError, NotFoundError } from "../../lib/errors.ts";
import {
  definitionVersion,
  type DownloadKind,
  fieldsOf,
  type FileRef,
  type StepData,
  type StepValues,
  type ValidateContext,
  type WorkflowDefinition,
} from "../../pipeline/workflow/define.ts";
import * as machine from "../../pipeline/workflow/machine.ts";
import type { JobStatus, Prefill, RunState } from "../../pipeline/workflow/state.ts";
import type { Source } from "../events.ts";
import { type Files, isStoredName, type StoredFile } from "./files.ts";
import { isFileRef, isObject, refuseImport, replay } from "./replay.ts";
import { type Run, type Runs, suggestFreeKey } from "./runs.ts";

/** The JSON file a run is exported as. */
export interface RunExport {
  cardflow: "run";
  /** This file's format. */
  format: 1;
  workflow: string;
  /** The definition's shape when exported (`definitionVersion`); informative, imports check values. */
  definitionVersion: string;
  key: string;
  created: string;
  updated: string;
  finalized: boolean;
  /** Values of the completed steps, by step id. */
  steps: Record<string, StepData>;
  /** How each job step's work ended, by step id. */
  jobs: Record<string, { status: JobStatus; progress: number; total: number; note?: string }>;
  /** The run's files by stored name, base64. */
  files: Record<string, string>;
}

/** A download: its file name, media type and body. */
export interface Download {
  name: string;
  type: string;
  body: string;
}

/** Values a start link offers, read from its query. */
export interface Draft {
  key: string;
  /** A message when the key cannot be used. */
  problem?: string;
  prefill: Record<string, Prefill>;
  /** Parameters that name no step's field. */
  ignored: string[];
}

/** The transfer operations of one workflow (part of its service). */
export interface Transfer {
  /** Run `key` as an export file's content. */
  exportRun(key: string): Promise<RunExport>;
  /** Create a run from an export (`key` or its own); ValidationError naming the first problem. */
  importRun(data: unknown, options: { key?: string; source: Source }): Promise<Run>;
  /** A new run `newKey` with the steps of `key` up to and including `lastStepId`. */
  clone(key: string, lastStepId: string, newKey: string, source: Source): Promise<Run>;
  /** A step's download of `kind`, computed from the run (the step must be reachable). */
  download(key: string, stepId: string, kind: DownloadKind): Download;
  /** A file run `key` keeps, by stored name (only names its state holds). */
  file(key: string, name: string): Promise<{ bytes: Uint8Array<ArrayBuffer>; ref: FileRef }>;
  /** Read a start link's query (`key`, `<step>.<field>` values): nothing is stored. */
  draft(query: Record<string, string[]>): Draft;
}

/** What the transfer operations need from their service. */
export interface TransferEnv {
  definition: WorkflowDefinition;
  slug: string;
  runs: Runs;
  files: Files;
  net: ValidateContext;
  now(): string;
  load(key: string): Run;
  checkNewKey(key: string): void;
  env: { profileId(): number | null; profileName(): string };
}

/** Every file a run's steps refer to, by stored name: `files` fields, `file` fields, job outputs. */
export function fileRefsOf(
  definition: WorkflowDefinition,
  steps: Record<string, StepData>,
): Map<string, FileRef> {
  const found = new Map<string, FileRef>();
  for (const step of definition.steps) {
    const values = steps[step.id];
    if (!values) continue;
    for (const field of fieldsOf(step)) {
      const value = values[field.name];
      if (field.kind === "file" && typeof value === "string" && isStoredName(value)) {
        const bytes = Number(values[`${field.name}_bytes`] ?? 0);
        const original = value.slice(value.indexOf("-") + 1);
        found.set(value, { name: value, original, bytes, type: "application/octet-stream" });
      }
    }
    for (const value of Object.values(values)) {
      if (!Array.isArray(value)) continue;
      for (const item of value) if (isFileRef(item)) found.set(item.name, item);
    }
  }
  return found;
}

/** The transfer operations over one workflow's service internals. */
export function createTransfer(t: TransferEnv): Transfer {
  const { definition, slug, runs, files } = t;

  async function writeAll(
    key: string,
    bytes: Map<string, Uint8Array<ArrayBuffer>>,
  ): Promise<StoredFile[]> {
    const stored: StoredFile[] = [];
    try {
      for (const [name, content] of bytes) stored.push(await files.restore(key, name, content));
    } catch (error) {
      await Promise.all(stored.map((s) => files.discard(s)));
      throw error;
    }
    return stored;
  }

  async function create(
    key: string,
    state: RunState,
    bytes: Map<string, Uint8Array<ArrayBuffer>>,
  ): Promise<Run> {
    // Held from the first file to the row: a second import or clone to this key is refused,
    // rather than writing the same files and, when its row is refused, removing ours.
    const release = runs.hold(key);
    try {
      const stored = await writeAll(key, bytes);
      try {
        return runs.create(key, slug, state, t.env.profileId());
      } catch (error) {
        await Promise.all(stored.map((s) => files.discard(s)));
        throw error;
      }
    } finally {
      release();
    }
  }

  return {
    async exportRun(key) {
      const run = t.load(key);
      const done = machine.completed(definition, run.state);
      const out: RunExport = {
        cardflow: "run",
        format: 1,
        workflow: slug,
        definitionVersion: definitionVersion(definition),
        key: run.key,
        created: run.state.created,
        updated: run.state.updated,
        finalized: run.state.finalized,
        steps: done,
        jobs: {},
        files: {},
      };
      for (const [id, job] of Object.entries(run.state.jobs)) {
        if (!(id in done)) continue;
        out.jobs[id] = {
          status: job.status,
          progress: job.progress,
          total: job.total,
          ...(job.note ? { note: job.note } : {}),
        };
      }
      for (const name of fileRefsOf(definition, done).keys()) {
        const bytes = await files.read(run.key, name);
        if (bytes) out.files[name] = Buffer.from(bytes).toString("base64");
      }
      return out;
    },
    async importRun(data, { key: wanted }) {
      if (!isObject(data) || data.cardflow !== "run") {
        refuseImport("it is not a run exported from Cardflow.");
      }
      if (data.format !== 1) {
        refuseImport(`its format ${String(data.format)} is not one this Cardflow reads.`);
      }
      if (data.workflow !== slug) {
        refuseImport(`it is a run of "${String(data.workflow)}", not of ${definition.title}.`);
      }
      const key = (wanted?.trim() || (typeof data.key === "string" ? data.key : "")).trim();
      try {
        t.checkNewKey(key);
      } catch (error) {
        refuseImport((error as Error).message);
      }
      if (runs.find(key)) refuseImport(`the key "${key}" is taken; give it a new key.`);
      const bytes = new Map<string, Uint8Array<ArrayBuffer>>();
      for (const [name, text] of Object.entries(isObject(data.files) ? data.files : {})) {
        if (!isStoredName(name) || typeof text !== "string") {
          refuseImport(`its file "${name}" is not usable.`);
        }
        bytes.set(name, new Uint8Array(Buffer.from(text, "base64")));
      }
      const state = replay(definition, data, { bytes, net: t.net, now: t.now() });
      const referenced = fileRefsOf(definition, state.steps);
      for (const name of bytes.keys()) if (!referenced.has(name)) bytes.delete(name);
      return await create(key, state, bytes);
    },
    async clone(key, lastStepId, newKey) {
      const run = t.load(key);
      machine.stepOf(definition, lastStepId);
      t.checkNewKey(newKey);
      if (runs.find(newKey)) {
        throw new ConflictError(`The key "${newKey}" is taken: choose another.`);
      }
      const state = machine.cloneState(definition, run.state, lastStepId, t.now());
      const bytes = new Map<string, Uint8Array<ArrayBuffer>>();
      for (const name of fileRefsOf(definition, state.steps).keys()) {
        const content = await files.read(run.key, name);
        if (content) bytes.set(name, content);
      }
      return await create(newKey, state, bytes);
    },
    download(key, stepId, kind) {
      const run = t.load(key);
      const step = machine.stepOf(definition, stepId);
      const spec = step.download;
      const make = kind === "csv" ? spec?.csv : spec?.json;
      if (!spec || !make) {
        throw new NotFoundError("steps", stepId, `That step has no ${kind} download.`);
      }
      machine.checkReachable(definition, run.state, stepId);
      const done = machine.completed(definition, run.state);
      const earlier: StepValues = {};
      for (const before of definition.steps.slice(0, definition.steps.indexOf(step))) {
        if (done[before.id]) earlier[before.id] = done[before.id]!;
      }
      const values = done[step.id] ?? {};
      const base = (spec.name ?? `${slug}-${run.key}-${step.id}`).replace(/[^A-Za-z0-9._-]+/g, "_");
      if (kind === "json") {
        const body = JSON.stringify(spec.json!(values, earlier), null, 2) + "\n";
        return { name: `${base}.json`, type: "application/json; charset=utf-8", body };
      }
      const table = spec.csv!(values, earlier);
      const body = Array.isArray(table) ? toCsv(table) : toCsv(table.rows, table.columns);
      return { name: `${base}.csv`, type: "text/csv; charset=utf-8", body };
    },
    async file(key, name) {
      const run = t.load(key);
      const ref = fileRefsOf(definition, run.state.steps).get(name);
      const bytes = ref ? await files.read(run.key, name) : undefined;
      if (!ref || !bytes) {
        throw new NotFoundError("files", name, `Run "${run.key}" keeps no file called ${name}.`);
      }
      return { bytes, ref };
    },
    draft(query) {
      const prefill: Record<string, Prefill> = {};
      const ignored: string[] = [];
      for (const [param, values] of Object.entries(query)) {
        if (param === "key") continue;
        const dot = param.indexOf(".");
        const step = definition.steps.find((s) => s.id === param.slice(0, dot));
        const field = step && fieldsOf(step).find((f) => f.name === param.slice(dot + 1));
        if (!step || !field || field.kind === "file" || field.kind === "files") {
          ignored.push(param);
          continue;
        }
        const fields = prefill[step.id] ??= {};
        fields[field.name] = field.kind === "multiselect" ? values : values.at(-1) ?? "";
      }
      const given = query.key?.at(-1)?.trim();
      const key = given || suggestFreeKey(t.env.profileName(), slug, runs);
      let problem: string | undefined;
      try {
        t.checkNewKey(key);
        if (runs.find(key)) {
          problem = `The key "${key}" is taken: this link starts a new run, so choose another key.`;
        }
      } catch (error) {
        problem = (error as Error).message;
      }
      return { key, prefill, ignored, ...(problem ? { problem } : {}) };
    },
  };
}
