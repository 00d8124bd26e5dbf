import assert from "node:assert/strict";
import { backupDatabase, BackupError, checkBackup, KEEP_DAYS, listBackups } from "@/lib/backup.ts";
import { openDatabase } from "@/lib/db.ts";
import { createStore } from "@/lib/store.ts";
import { testApp } from "./helpers/app.ts";

async function tempDir(): Promise<string> {
  return await Deno.makeTempDir({ prefix: "cardflow-backup-" });
}

Deno.test("start-up writes today's backup of the current database", async () => {
  const dataDir = await tempDir();
  const app = testApp({ config: { dataDir } });
  try {
    const today = new Date().toISOString().slice(0, 10);
    for (let i = 0; i < 50 && listBackups(dataDir).length === 0; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.deepEqual(listBackups(dataDir).map((b) => b.name), [`development-${today}.db`]);
  } finally {
    app.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("a backup restored from the page brings the data back and keeps the replaced database", async () => {
  const dataDir = await tempDir();
  const app = testApp({ config: { dataDir } });
  try {
    app.runtime.services().store.set("marker", "before");
    const saved = await app.post("/backups", {});
    assert.equal(saved.status, 200);
    assert.match(await saved.text(), /Saved development-\d{4}-\d{2}-\d{2}\.db/);
    app.runtime.services().store.set("marker", "after");
    const name = listBackups(dataDir)[0]!.name;
    const page = await (await app.request("/backups")).text();
    assert.match(page, new RegExp(name.replaceAll(".", "\\.")));
    const restored = await app.post("/backups/restore", { name });
    assert.equal(restored.status, 204);
    assert.equal(restored.headers.get("hx-refresh"), "true");
    assert.equal(app.runtime.services().store.get("marker"), "before");
    const kept = [...Deno.readDirSync(`${dataDir}/backups`)].filter((e) =>
      e.name.startsWith("replaced-")
    );
    assert.equal(kept.length, 1);
  } finally {
    app.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("restore refuses names that are not listed backups and changes nothing", async () => {
  const dataDir = await tempDir();
  const app = testApp({ config: { dataDir } });
  try {
    app.runtime.services().store.set("marker", "kept");
    for (const name of ["../cardflow-dev.db", "development-2020-01-01.db", "/etc/passwd", ""]) {
      const res = await app.post("/backups/restore", { name });
      assert.equal(res.status, 404, name);
      assert.match(await res.text(), /There is no backup called/);
    }
    assert.equal(app.runtime.services().store.get("marker"), "kept");
  } finally {
    app.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("--restore puts a backup in place before start and a broken file is refused clearly", async () => {
  const dataDir = await tempDir();
  const source = openDatabase(`${dataDir}/elsewhere.db`);
  createStore(source).set("marker", "from backup");
  const file = await backupDatabase(source, dataDir, { environment: "development" });
  source.close();
  const app = testApp({ config: { dataDir, restore: `${dataDir}/backups/${file.name}` } });
  try {
    assert.equal(app.runtime.services().store.get("marker"), "from backup");
  } finally {
    app.close();
  }
  await Deno.writeTextFile(`${dataDir}/junk.db`, "not a database at all");
  assert.throws(() => checkBackup(`${dataDir}/junk.db`), BackupError);
  assert.throws(
    () => testApp({ config: { dataDir, restore: `${dataDir}/junk.db` } }),
    /not a usable Cardflow backup/,
  );
  assert.throws(
    () => testApp({ config: { dataDir, restore: `${dataDir}/missing.db` } }),
    BackupError,
  );
  await Deno.remove(dataDir, { recursive: true });
});

Deno.test("a week of daily copies is kept per environment", async () => {
  const dataDir = await tempDir();
  const db = openDatabase(":memory:");
  createStore(db).set("x", 1);
  for (let day = 1; day <= 10; day++) {
    backupDatabase(db, dataDir, {
      environment: "production",
      now: new Date(Date.UTC(2026, 0, day)),
    });
  }
  await backupDatabase(db, dataDir, {
    environment: "development",
    now: new Date(Date.UTC(2026, 0, 1)),
  });
  const names = listBackups(dataDir).map((b) => b.name);
  assert.equal(names.filter((n) => n.startsWith("production")).length, KEEP_DAYS);
  assert.ok(names.includes("production-2026-01-10.db"));
  assert.ok(!names.includes("production-2026-01-03.db"));
  assert.ok(names.includes("development-2026-01-01.db"));
  db.close();
  await Deno.remove(dataDir, { recursive: true });
});
