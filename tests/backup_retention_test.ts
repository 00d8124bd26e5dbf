/**
 * Backup names and retention: a name per second and reason, never one copy
 * over another; which copies are kept after each backup, whatever the clock
 * did; and which file names count as backups at all.
 */
import assert from "node:assert/strict";
import { BACKUP_DEFAULTS, isBackupName, listBackups } from "@/lib/backup.ts";
import { backupAt, withBackupsAt } from "./helpers/backups.ts";

Deno.test("two backups a minute apart are both listed, newest first", async () => {
  await withBackupsAt("2026-03-14T09:15:00Z", async ({ dir, clock, backup }) => {
    const first = await backup({ reason: "start" });
    clock.advance(60_000);
    const second = await backup();
    assert.equal(first.file.name, "production-20260314-091500-start.db");
    assert.equal(second.file.name, "production-20260314-091600-manual.db");
    const listed = listBackups(dir);
    assert.deepEqual(listed.map((b) => b.name), [second.file.name, first.file.name]);
    assert.deepEqual(listed.map((b) => b.reason), ["manual", "start"]);
    assert.equal(listed[0]!.time.toISOString(), "2026-03-14T09:16:00.000Z");
    assert.ok(listed.every((b) => b.environment === "production" && b.bytes > 0));
  });
});

Deno.test("two backups in the same second give two files, never one over the other", async () => {
  await withBackupsAt("2026-03-14T09:15:00Z", async ({ dir, backup }) => {
    const written = await Promise.all([1, 2, 3].map(() => backup()));
    assert.deepEqual(written.map((w) => w.file.name).sort(), [
      "production-20260314-091500-manual-2.db",
      "production-20260314-091500-manual-3.db",
      "production-20260314-091500-manual.db",
    ]);
    assert.deepEqual(listBackups(dir).map((b) => b.seq), [3, 2, 1]);
  });
});

Deno.test("after the clock ran a day ahead and came back, new backups are kept and listed", async () => {
  await withBackupsAt("2026-03-15T08:00:00Z", async ({ dir, clock, backup }) => {
    for (let i = 0; i < 12; i++) {
      await backup();
      clock.advance(3_600_000);
    }
    clock.set("2026-03-14T08:00:00Z");
    const fresh: string[] = [];
    for (let i = 0; i < 12; i++) {
      const { file } = await backup();
      fresh.push(file.name);
      const listed = listBackups(dir).map((b) => b.name);
      for (const name of fresh.slice(-BACKUP_DEFAULTS.keepNewest)) {
        assert.ok(listed.includes(name), `${name} vanished after backup ${i + 1}`);
      }
      clock.advance(60_000);
    }
    const listed = listBackups(dir);
    // The day-ahead copies keep their own day's newest copy; the present ones fill the count.
    assert.deepEqual(
      listed.filter((b) => b.name.includes("-20260314-")).map((b) => b.name),
      fresh.slice(-BACKUP_DEFAULTS.keepNewest).reverse(),
    );
    assert.ok(listed.some((b) => b.name.includes("-20260315-")));
  });
});

Deno.test("retention never removes the newest three, however little it is asked to keep", async () => {
  await withBackupsAt("2026-01-01T00:00:00Z", async ({ dir, clock, backup }) => {
    const written: string[] = [];
    for (let i = 0; i < 6; i++) {
      const result = await backup({ keepNewest: 0, keepDays: 0, keepAlways: 0 });
      written.push(result.file.name);
      clock.advance(86_400_000);
    }
    assert.deepEqual(listBackups(dir).map((b) => b.name), written.slice(-3).reverse());
  });
});

Deno.test("a copy with the newest file time is kept even when its name is old", async () => {
  await withBackupsAt("2026-01-01T12:00:00Z", async ({ dir, db, clock, backup }) => {
    const tight = { keepNewest: 0, keepDays: 0 };
    const first = await backup(tight);
    for (let i = 0; i < 4; i++) {
      clock.advance(86_400_000);
      await backup(tight);
    }
    assert.ok(!listBackups(dir).some((b) => b.name === first.file.name));
    const renamed = await backupAt(db, dir, () => new Date("2025-12-01T00:00:00Z"), tight);
    const touched = new Date(Date.now() + 3_600_000);
    Deno.utimeSync(renamed.file.path, touched, touched);
    clock.advance(86_400_000);
    await backup(tight);
    assert.ok(listBackups(dir).some((b) => b.name === renamed.file.name));
  });
});

Deno.test("a clock set years back still leaves the newest copies of both clocks", async () => {
  await withBackupsAt("2026-06-01T12:00:00Z", async ({ dir, clock, backup }) => {
    for (let i = 0; i < 5; i++) {
      await backup({ keepNewest: 0, keepDays: 0 });
      clock.advance(60_000);
    }
    clock.set("2000-01-01T00:00:00Z");
    const old = await backup({ keepNewest: 0, keepDays: 0 });
    const listed = listBackups(dir).map((b) => b.name);
    assert.ok(listed.includes(old.file.name));
    // The three newest by name are the real recent copies: they stay too.
    assert.deepEqual(listed.slice(0, 3), [
      "production-20260601-120400-manual.db",
      "production-20260601-120300-manual.db",
      "production-20260601-120200-manual.db",
    ]);
  });
});

Deno.test("retention keeps the newest ten and the newest of each of the last fourteen days", async () => {
  await withBackupsAt("2026-01-01T00:00:00Z", async ({ dir, clock, backup }) => {
    const other = await backup({ environment: "development" });
    for (let day = 1; day <= 30; day++) {
      for (const hour of [8, 12, 18]) {
        const [dd, hh] = [day, hour].map((n) => String(n).padStart(2, "0"));
        clock.set(`2026-01-${dd}T${hh}:00:00Z`);
        await backup();
      }
    }
    const kept = listBackups(dir).filter((b) => b.environment === "production")
      .map((b) => b.name.slice("production-".length, -"-manual.db".length));
    const newestTen = [
      ["30", 18],
      ["30", 12],
      ["30", 8],
      ["29", 18],
      ["29", 12],
      ["29", 8],
      ["28", 18],
      ["28", 12],
      ["28", 8],
      ["27", 18],
    ].map(([d, h]) => `202601${d}-${String(h).padStart(2, "0")}0000`);
    const dailies = [26, 25, 24, 23, 22, 21, 20, 19, 18, 17].map((d) => `202601${d}-180000`);
    assert.deepEqual(kept, [...newestTen, ...dailies]);
    assert.ok(listBackups(dir).some((b) => b.name === other.file.name), "development untouched");
  });
});

Deno.test("weeks without backups do not age copies out: days are counted by copies", async () => {
  await withBackupsAt("2026-01-01T10:00:00Z", async ({ dir, clock, backup }) => {
    for (let day = 0; day < 5; day++) {
      await backup({ keepNewest: 3 });
      clock.advance(86_400_000);
    }
    clock.set("2026-06-01T10:00:00Z");
    const { removed } = await backup({ keepNewest: 3 });
    assert.deepEqual(removed, []);
    assert.equal(listBackups(dir).length, 6);
  });
});

Deno.test("old daily names are listed and fall under the same retention", async () => {
  await withBackupsAt("2025-12-01T00:00:00Z", async ({ dir, clock, backup }) => {
    const seed = await backup();
    for (let day = 1; day <= 20; day++) {
      Deno.copyFileSync(
        seed.file.path,
        `${dir}/production-2026-01-${String(day).padStart(2, "0")}.db`,
      );
    }
    Deno.removeSync(seed.file.path);
    const legacy = listBackups(dir);
    assert.equal(legacy.length, 20);
    assert.deepEqual(legacy[0], { ...legacy[0]!, reason: "daily", seq: 1 });
    assert.equal(legacy[0]!.time.toISOString(), "2026-01-20T00:00:00.000Z");
    clock.set("2026-01-21T12:00:00Z");
    const { file, removed } = await backup();
    assert.deepEqual(
      removed.sort(),
      [1, 2, 3, 4, 5, 6, 7].map((d) => `production-2026-01-0${d}.db`),
    );
    assert.equal(listBackups(dir)[0]!.name, file.name);
  });
});

Deno.test("only well-formed backup names are backup names", () => {
  for (
    const name of [
      "development-20260314-091500-start.db",
      "production-20260314-091500-manual-2.db",
      "production-20260314-091500-replaced.db",
      "development-2026-03-14.db",
      // What an older Cardflow's restore put aside: listed, so it can be restored.
      "replaced-2026-03-14T09-15-00-000Z.db",
    ]
  ) assert.ok(isBackupName(name), name);
  for (
    const name of [
      "production-20260231-091500-manual.db", // 31 February
      "production-20260314-096000-manual.db", // 60 minutes
      "production-20260314-091500-manual-1.db",
      "production-20260314-091500-other.db",
      "staging-20260314-091500-manual.db",
      "../production-20260314-091500-manual.db",
      "production-20260314-091500-manual.db/x",
      ".backup-0123.tmp",
      "replaced-2026-02-31T09-15-00-000Z.db",
      "replaced-../2026-03-14T09-15-00-000Z.db",
      "",
    ]
  ) assert.ok(!isBackupName(name), name);
});
