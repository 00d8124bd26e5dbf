/**
 * @module
 * `/backups`: the daily copies of the database, a "back up now" button, and
 * restore with confirmation. Only names from the listing are accepted, so no
 * path reaches the file system from a form.
 */

import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { backupDir, isBackupName, KEEP_DAYS, listBackups } from "@/lib/backup.ts";
import type { Deps } from "@/web/deps.ts";
import { render } from "@/web/shell.tsx";
import { Notice } from "@/components/layout.tsx";

function size(bytes: number): string {
  return bytes < 1024 * 1024
    ? `${(bytes / 1024).toFixed(1)} KiB`
    : `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** The backups page. */
export default function backups(deps: Deps): Hono {
  const inMemory = deps.config.dataDir === ":memory:";
  const page = (notice?: string) => {
    const files = inMemory ? [] : listBackups(deps.config.dataDir);
    return (
      <section class="card" id="backups">
        <h1>Backups</h1>
        <p class="muted">
          Cardflow copies each database once a day when it starts and keeps {KEEP_DAYS}{" "}
          days of copies{inMemory ? "" : (
            <>
              {" "}in the <code>backups</code> folder of its data folder
            </>
          )}.
        </p>
        {!inMemory && (
          <details class="path">
            <summary>Show the full path</summary>
            <code>{backupDir(deps.config.dataDir)}</code>
          </details>
        )}
        {notice && <Notice>{notice}</Notice>}
        {inMemory
          ? (
            <Notice kind="error">
              This Cardflow runs on an in-memory database: there is nothing to back up.
            </Notice>
          )
          : (
            <form class="inline" hx-post="/backups" hx-target="#backups" hx-swap="outerHTML">
              <button type="submit">Back up the {deps.databases.current} database now</button>
            </form>
          )}
        <table class="data">
          <thead>
            <tr>
              <th>File</th>
              <th>Environment</th>
              <th>Day</th>
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
                <td>{file.day}</td>
                <td>{size(file.bytes)}</td>
                <td>
                  <form
                    hx-post="/backups/restore"
                    hx-target="#backups"
                    hx-swap="outerHTML"
                    hx-confirm={`Replace the ${deps.databases.current} database with ${file.name}? The current one is kept in the backups folder.`}
                  >
                    <input type="hidden" name="name" value={file.name} />
                    <button type="submit" class="secondary">Restore</button>
                  </form>
                </td>
              </tr>
            ))}
            {files.length === 0 && (
              <tr>
                <td colspan={5} class="muted">No backups yet.</td>
              </tr>
            )}
          </tbody>
        </table>
      </section>
    );
  };

  return new Hono()
    .get("/", (c) => render(c, deps, page(), { title: "Backups" }))
    .post("/", async (c) => {
      if (inMemory) {
        throw new HTTPException(409, { message: "An in-memory database cannot be backed up." });
      }
      const file = await deps.databases.backup();
      deps.log.info(`backup written on request: ${file.name}`);
      return render(c, deps, page(`Saved ${file.name}.`), { title: "Backups" });
    })
    .post("/restore", async (c) => {
      const name = String((await c.req.parseBody()).name ?? "");
      if (!isBackupName(name) || !listBackups(deps.config.dataDir).some((b) => b.name === name)) {
        throw new HTTPException(404, { message: `There is no backup called "${name}".` });
      }
      await deps.databases.restore(`${backupDir(deps.config.dataDir)}/${name}`);
      c.header("HX-Refresh", "true");
      return c.body(null, 204);
    });
}
