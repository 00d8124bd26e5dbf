/**
 * Backups and restores through the app: the start-up copy, "back up now",
 * restore from the page with its notice and undo, and every bad file the
 * issue lists refused or rolled back while the previous data keeps serving.
 * The files themselves are tested without the app: names, retention and
 * clocks in backup_retention_test.ts, writing and inspection in
 * backup_write_test.ts, swapping in backup_swap_test.ts.
 */
import assert from "node:assert/strict";
import { BackupError, listBackups } from "@/lib/backup.ts";
import { testApp } from "./helpers/app.ts";
import { BAD_CANDIDATES, cardflowDatabase } from "./helpers/candidates.ts";

async function withData(fn: (dataDir: string) => Promise<void>): Promise<void> {
  const dataDir = await Deno.makeTempDir({ prefix: "cardflow-backup-" });
  try {
    await fn(dataDir);
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
}

/** A backup name of `reason` taken now, for files a test puts in the folder itself. */
function nameNow(reason: "manual" | "start", seq = 0): string {
  const iso = new Date(Date.now() - seq * 1000).toISOString();
  const stamp = `${iso.slice(0, 10).replaceAll("-", "")}-${iso.slice(11, 19).replaceAll(":", "")}`;
  return `development-${stamp}-${reason}.db`;
}

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (condition()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

Deno.test("every start writes a checked backup named for its time and reason", async () => {
  await withData(async (dataDir) => {
    for (let start = 1; start <= 2; start++) {
      const app = testApp({ config: { dataDir } });
      try {
        await waitFor(() => listBackups(`${dataDir}/backups`).length === start, "the backup");
      } finally {
        await app.close();
      }
    }
    const files = listBackups(`${dataDir}/backups`);
    assert.deepEqual(files.map((f) => f.reason), ["start", "start"]);
    assert.match(files[0]!.name, /^development-\d{8}-\d{6}-start(-2)?\.db$/);
  });
});

Deno.test("--backup-dir keeps the copies outside the data folder", async () => {
  await withData(async (dataDir) => {
    const backupDir = `${dataDir}-elsewhere`;
    const app = testApp({ config: { dataDir, backupDir } });
    try {
      await waitFor(() => listBackups(backupDir).length === 1, "the start-up backup");
      const saved = await app.post("/backups", {});
      assert.equal(saved.status, 200);
      assert.equal(listBackups(backupDir).length, 2);
      assert.deepEqual(listBackups(`${dataDir}/backups`), []);
      const page = await (await app.request("/backups")).text();
      assert.ok(!page.includes(backupDir), "the path only when asked");
      assert.doesNotMatch(page, /inside the data folder/);
      const path = await (await app.request("/backups/path", { htmx: true })).text();
      assert.equal(path, `<code>${backupDir}</code>`);
    } finally {
      await app.close();
      await Deno.remove(backupDir, { recursive: true });
    }
  });
});

Deno.test("the Backups page names its folder relative to the data folder; the absolute path comes only when asked", async () => {
  await withData(async (dataDir) => {
    const app = testApp({ config: { dataDir } });
    try {
      const page = await (await app.request("/backups")).text();
      assert.ok(!page.includes(dataDir), "no absolute path in the page");
      assert.match(page, /in the backups folder of the data folder/);
      assert.match(page, /hx-get="\/backups\/path"[^>]*hx-trigger="toggle once"/);
      assert.match(page, /<summary>Show the full path<\/summary>/);
      const asked = await app.request("/backups/path", { htmx: true });
      assert.equal(asked.status, 200);
      assert.equal(await asked.text(), `<code>${dataDir}/backups</code>`);
      const opened = await (await app.request("/backups/path")).text();
      assert.match(opened, /<html/, "opened on its own, it is a page");
      assert.ok(opened.includes(`<code>${dataDir}/backups</code>`));
    } finally {
      await app.close();
    }
  });
  const memory = testApp();
  try {
    assert.equal((await memory.request("/backups/path", { htmx: true })).status, 404);
  } finally {
    await memory.close();
  }
});

Deno.test("a restore from the page brings the data back, says so, and can be undone from the page", async () => {
  await withData(async (dataDir) => {
    const app = testApp({ config: { dataDir } });
    const marker = () => app.runtime.services().store.get("marker");
    try {
      app.runtime.services().store.set("marker", "before");
      const saved = await app.post("/backups", {});
      assert.equal(saved.status, 200);
      const name = (await saved.text()).match(/Saved (development-\d{8}-\d{6}-manual\.db)/)?.[1];
      assert.ok(name, "the page names the new backup");
      app.runtime.services().store.set("marker", "after");

      const restored = await app.post("/backups/restore", { name });
      assert.equal(restored.status, 204);
      assert.equal(restored.headers.get("hx-refresh"), "true");
      assert.equal(marker(), "before");

      const replaced = listBackups(`${dataDir}/backups`).find((b) => b.reason === "replaced");
      assert.ok(replaced, "the replaced database is a listed backup");
      const page = await (await app.request("/backups")).text();
      assert.match(page, new RegExp(`Restored <code>${name.replaceAll(".", "\\.")}</code>`));
      assert.ok(page.includes(`kept as <code>${replaced.name}</code>`));
      assert.match(page, /Undo this restore/);

      const undone = await app.post("/backups/restore", { name: replaced.name });
      assert.equal(undone.status, 204);
      assert.equal(marker(), "after", "the undo put back the data the restore replaced");
    } finally {
      await app.close();
    }
  });
});

Deno.test("restore refuses names that are not listed backups and changes nothing", async () => {
  await withData(async (dataDir) => {
    const app = testApp({ config: { dataDir } });
    try {
      app.runtime.services().store.set("marker", "kept");
      for (
        const name of ["../cardflow-dev.db", "development-20200101-000000-manual.db", "/etc/passwd"]
      ) {
        const res = await app.post("/backups/restore", { name });
        assert.equal(res.status, 404, name);
        assert.match(await res.text(), /There is no backup called/);
      }
      assert.equal(app.runtime.services().store.get("marker"), "kept");
    } finally {
      await app.close();
    }
  });
});

for (const candidate of BAD_CANDIDATES) {
  Deno.test(`restoring ${candidate.name} from the page is refused with a message and the previous data keeps serving`, async () => {
    await withData(async (dataDir) => {
      const app = testApp({ config: { dataDir } });
      try {
        app.runtime.services().store.set("marker", "previous");
        await (await app.post("/tasks", { name: "previous task" })).body?.cancel();
        const name = nameNow("manual", 3600);
        Deno.mkdirSync(`${dataDir}/backups`, { recursive: true });
        await candidate.make(`${dataDir}/backups/${name}`);
        const stamp = app.runtime.services().context.stamp();

        const res = await app.post("/backups/restore", { name });
        assert.equal(res.status, 422);
        const page = await res.text();
        assert.match(page, /class="notice error"/);
        assert.match(page.replaceAll("&quot;", '"'), candidate.problem);
        assert.match(page, /Nothing was restored/);

        assert.equal(app.runtime.services().store.get("marker"), "previous");
        assert.equal(app.runtime.services().context.stamp(), stamp, "same database incarnation");
        const tasks = await app.request("/tasks");
        assert.equal(tasks.status, 200);
        assert.match(await tasks.text(), /previous task/);
        const replaced = listBackups(`${dataDir}/backups`).filter((b) => b.reason === "replaced");
        assert.equal(replaced.length, candidate.rolledBack ? 1 : 0);
        const debris = [...Deno.readDirSync(dataDir)].filter((e) => e.name.startsWith("."));
        assert.deepEqual(debris, [], "no temp files in the data folder");
      } finally {
        await app.close();
      }
    });
  });
}

Deno.test("--restore of each bad file is refused, keeps the database, and a plain start serves it", async () => {
  await withData(async (dataDir) => {
    const first = testApp({ config: { dataDir } });
    first.runtime.services().store.set("marker", "previous");
    await first.close();
    for (const candidate of BAD_CANDIDATES) {
      const path = `${dataDir}/offered.db`;
      await Deno.remove(path).catch(() => {});
      await candidate.make(path);
      assert.throws(
        () => testApp({ config: { dataDir, restore: path } }),
        (error: Error) => {
          assert.ok(error instanceof BackupError, `${candidate.name}: ${error}`);
          assert.match(error.message, candidate.problem, candidate.name);
          return true;
        },
      );
      const again = testApp({ config: { dataDir } });
      try {
        assert.equal(again.runtime.services().store.get("marker"), "previous", candidate.name);
      } finally {
        await again.close();
      }
    }
  });
});

Deno.test("a backup without records is restored only once the person confirms it", async () => {
  await withData(async (dataDir) => {
    const app = testApp({ config: { dataDir } });
    try {
      app.runtime.services().store.set("marker", "previous");
      const name = nameNow("manual", 60);
      Deno.mkdirSync(`${dataDir}/backups`, { recursive: true });
      const { DatabaseSync } = await import("node:sqlite");
      const blank = new DatabaseSync(`${dataDir}/backups/${name}`);
      blank.exec("CREATE TABLE store (key TEXT PRIMARY KEY, value TEXT)");
      blank.close();

      const asked = await app.post("/backups/restore", { name });
      assert.equal(asked.status, 422);
      const page = await asked.text();
      assert.match(page, /holds no records: restoring it empties the development database/);
      assert.match(page, /name="empty" value="yes"/);
      assert.equal(app.runtime.services().store.get("marker"), "previous");

      const confirmed = await app.post("/backups/restore", { name, empty: "yes" });
      assert.equal(confirmed.status, 204);
      assert.equal(app.runtime.services().store.get("marker"), undefined);
    } finally {
      await app.close();
    }
  });
});

Deno.test("--restore of a good backup starts on it and offers the undo", async () => {
  await withData(async (dataDir) => {
    const first = testApp({ config: { dataDir } });
    first.runtime.services().store.set("marker", "previous");
    await first.close();
    const offered = await cardflowDatabase(`${dataDir}/offered.db`, "from the backup");
    const app = testApp({ config: { dataDir, restore: offered } });
    try {
      assert.equal(app.runtime.services().store.get("marker"), "from the backup");
      const page = await (await app.request("/backups")).text();
      assert.match(page, /Restored <code>offered\.db<\/code>/);
      assert.match(page, /Undo this restore/);
    } finally {
      await app.close();
    }
  });
});

Deno.test("a database an older Cardflow's restore put aside (replaced-….db) is listed and restorable", async () => {
  await withData(async (dataDir) => {
    const app = testApp({ config: { dataDir } });
    try {
      const name = "replaced-2026-01-02T03-04-05-678Z.db";
      Deno.mkdirSync(`${dataDir}/backups`, { recursive: true });
      await cardflowDatabase(`${dataDir}/backups/${name}`, "put aside by 0.1");
      const page = await (await app.request("/backups")).text();
      assert.match(page, new RegExp(`<code>${name.replaceAll(".", "\\.")}</code>`));
      assert.match(page, /unknown/);
      assert.match(page, /2026-01-02 03:04:05 UTC/);
      assert.equal((await app.post("/backups/restore", { name })).status, 204);
      assert.equal(app.runtime.services().store.get("marker"), "put aside by 0.1");
    } finally {
      await app.close();
    }
  });
});

Deno.test("the hidden copies a process stopped mid-backup or mid-restore left are removed at the next start, and nothing else", async () => {
  await withData(async (dataDir) => {
    Deno.mkdirSync(`${dataDir}/backups`);
    const left = [
      `${dataDir}/backups/.backup-0123abcd-4567.tmp`,
      `${dataDir}/backups/.backup-0123abcd-4567.tmp-journal`,
      `${dataDir}/backups/.replaced-89abcdef-0123.tmp`,
      `${dataDir}/.restore-0123abcd-4567.tmp`,
    ];
    const kept = [`${dataDir}/backups/.notes`, `${dataDir}/.restore-mine.tmp`];
    for (const path of [...left, ...kept]) Deno.writeTextFileSync(path, "x");
    const app = testApp({ config: { dataDir } });
    try {
      for (const path of left) assert.throws(() => Deno.statSync(path), Deno.errors.NotFound);
      for (const path of kept) assert.ok(Deno.statSync(path).isFile, path);
    } finally {
      await app.close();
    }
  });
});
