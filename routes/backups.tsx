/**
 * @module
 * `/backups`: the copies of the databases (one per start, and any made with
 * "back up now"), restore with confirmation, and after a restore a notice
 * that offers to undo it. The folder is named relative to the data folder;
 * its absolute path is fetched only when the person asks. Only names from
 * the listing are accepted, so no path reaches the file system from a form.
 * A refused restore re-renders the page with what was wrong; the database is
 * unchanged.
 */

import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import {
  BackupError,
  type BackupFile,
  EmptyBackupError,
  isBackupName,
  listBackups,
} from "@/lib/backup.ts";
import { isDiskFull } from "@/lib/errors.ts";
import { readForm, text } from "@/lib/form.ts";
import type { Deps } from "@/web/deps.ts";
import { html, render, wantsFragment } from "@/web/shell.tsx";
import { Notice } from "@/components/layout.tsx";

const REASONS: Record<BackupFile["reason"], string> = {
  start: "at start-up",
  manual: "asked for",
  replaced: "replaced by a restore",
  daily: "daily (older Cardflow)",
};

function size(bytes: number): string {
  return bytes < 1024 * 1024
    ? `${(bytes / 1024).toFixed(1)} KiB`
    : `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** "2026-03-14 09:15:00 UTC" */
function when(time: Date): string {
  return `${time.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

/** What the page shows above the list besides the listing itself. */
interface Extra {
  notice?: string;
  error?: string;
  /** A backup without records that the person may still restore on purpose. */
  confirmEmpty?: string;
}

function RestoreForm(props: { name: string; label: string; confirm: string; empty?: boolean }) {
  return (
    <form
      hx-post="/backups/restore"
      hx-target="#backups"
      hx-swap="outerHTML"
      hx-confirm={props.confirm}
      class="inline"
    >
      <input type="hidden" name="name" value={props.name} />
      {props.empty && <input type="hidden" name="empty" value="yes" />}
      <button type="submit" class="secondary">{props.label}</button>
    </form>
  );
}

/** The backups page. */
export default function backups(deps: Deps): Hono {
  const { databases } = deps;
  const page = (extra: Extra = {}) => {
    const dir = databases.backupDir;
    const files = dir ? listBackups(dir) : [];
    const env = databases.current;
    const restored = databases.lastRestore();
    const inside = dir !== undefined && dir.startsWith(`${deps.config.dataDir}/`);
    return (
      <section class="card" id="backups">
        <h1>Backups</h1>
        <p class="muted">
          Cardflow copies the database each time it starts, checks every copy before keeping it, and
          keeps the newest ten and the newest of each of the last fourteen days with a copy
          {dir
            ? (inside ? " in the backups folder of the data folder" : " in its backup folder")
            : ""}.
          {inside &&
            " That folder is inside the data folder, so losing one loses both: start Cardflow with --backup-dir on another disk to keep them apart."}
        </p>
        {dir && (
          <details
            class="path"
            hx-get="/backups/path"
            hx-trigger="toggle once"
            hx-target="find .path-text"
            hx-swap="innerHTML"
          >
            <summary>Show the full path</summary>
            <span class="path-text" aria-live="polite"></span>
          </details>
        )}
        {restored && (
          <Notice>
            Restored <code>{restored.from}</code> into the {restored.environment} database at{" "}
            {when(restored.at)}.
            {restored.previous && (
              <>
                {" "}The database it replaced is kept as <code>{restored.previous}</code>.{" "}
                <RestoreForm
                  name={restored.previous}
                  label="Undo this restore"
                  confirm={`Put back the ${env} database as it was before the restore (${restored.previous})?`}
                />
              </>
            )}
          </Notice>
        )}
        {extra.notice && <Notice>{extra.notice}</Notice>}
        {extra.error && <Notice kind="error">{extra.error}</Notice>}
        {extra.confirmEmpty && (
          <Notice kind="error">
            <code>{extra.confirmEmpty}</code> holds no records: restoring it empties the {env}{" "}
            database (the current one is kept as a backup).{" "}
            <RestoreForm
              name={extra.confirmEmpty}
              label="Restore it anyway"
              confirm={`Empty the ${env} database by restoring ${extra.confirmEmpty}?`}
              empty
            />
          </Notice>
        )}
        {dir
          ? (
            <form class="inline" hx-post="/backups" hx-target="#backups" hx-swap="outerHTML">
              <button type="submit">Back up the {env} database now</button>
            </form>
          )
          : (
            <Notice kind="error">
              This Cardflow runs on an in-memory database: there is nothing to back up.
            </Notice>
          )}
        <div class="table-scroll">
          <table class="data">
            <thead>
              <tr>
                <th>File</th>
                <th>Environment</th>
                <th>Taken</th>
                <th>Why</th>
                <th>Size</th>
                <th></th>
              </tr>
            </thead>
            <tbody>
              {files.map((file) => (
                <tr>
                  <td>
                    <code>{file.name}</code>
                  </td>
                  <td>{file.environment}</td>
                  <td>{when(file.time)}</td>
                  <td class="nowrap">{REASONS[file.reason]}</td>
                  <td class="nowrap">{size(file.bytes)}</td>
                  <td>
                    <RestoreForm
                      name={file.name}
                      label="Restore"
                      confirm={`Replace the ${env} database with ${file.name}? The current one is kept as a backup, and the restore can be undone.`}
                    />
                  </td>
                </tr>
              ))}
              {files.length === 0 && (
                <tr>
                  <td colspan={6} class="muted">No backups yet.</td>
                </tr>
              )}
            </tbody>
          </table>
        </div>
      </section>
    );
  };
  const show = (c: Parameters<typeof render>[0], extra?: Extra, status?: 200 | 422) =>
    render(c, deps, page(extra), { title: "Backups", status });

  return new Hono()
    .get("/", (c) => show(c))
    // The absolute path is sent only when asked for: a screenshot or a shared screen of the
    // page does not give away where the data lives.
    .get("/path", (c) => {
      const dir = databases.backupDir;
      if (!dir) throw new HTTPException(404, { message: "There is no backup folder." });
      const path = <code>{dir}</code>;
      if (wantsFragment(c)) return html(c, path);
      return render(
        c,
        deps,
        <section class="card">
          <h1>Backup folder</h1>
          <p>{path}</p>
        </section>,
        {
          title: "Backup folder",
        },
      );
    })
    .post("/", async (c) => {
      const file = await databases.backup();
      deps.log.info(`backup written on request: ${file.name}`);
      return show(c, { notice: `Saved ${file.name}.` });
    })
    .post("/restore", async (c) => {
      const form = await readForm(c);
      const name = text(form, "name");
      const dir = databases.backupDir;
      if (!dir || !isBackupName(name) || !listBackups(dir).some((b) => b.name === name)) {
        throw new HTTPException(404, { message: `There is no backup called "${name}".` });
      }
      try {
        await databases.restore(`${dir}/${name}`, { allowEmpty: text(form, "empty") === "yes" });
      } catch (error) {
        if (error instanceof EmptyBackupError) return show(c, { confirmEmpty: name }, 422);
        // A full disk is the error map's 507; anything else refused is said on the page.
        if (error instanceof BackupError && !isDiskFull(error)) {
          return show(c, { error: error.message }, 422);
        }
        throw error;
      }
      c.header("HX-Refresh", "true");
      return c.body(null, 204);
    });
}
