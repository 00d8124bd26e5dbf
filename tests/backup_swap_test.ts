/**
 * Swapping a restored file in: the candidate takes the database's place,
 * the previous database is kept as a listed backup (its -wal folded in), and
 * a rollback brings back the exact previous bytes.
 */
import assert from "node:assert/strict";
import { listBackups, swapIn } from "@/lib/backup.ts";
import { openDatabase } from "@/lib/db.ts";
import { cardflowDb, cardflowFile, POSIX, storeValue, withDir, write } from "./helpers/backups.ts";
import { namesIn, sha256 } from "./helpers/files.ts";

Deno.test("swapIn puts the candidate in place and keeps the previous database as a listed backup", async () => {
  await withDir(async (dir) => {
    const target = cardflowFile(`${dir}/cardflow.db`, 2);
    const before = await sha256(target);
    const candidate = cardflowFile(`${dir}/elsewhere.db`, 7);
    const candidateHash = await sha256(candidate);
    const backups = `${dir}/backups`;
    const swap = swapIn(candidate, target, {
      backupDir: backups,
      environment: "production",
      now: () => new Date("2026-03-14T09:15:00Z"),
    });
    assert.equal(swap.previous, `${backups}/production-20260314-091500-replaced.db`);
    assert.equal(await sha256(swap.previous!), before);
    assert.equal(await sha256(target), candidateHash);
    assert.equal(await sha256(candidate), candidateHash, "the candidate is left as it was");
    assert.deepEqual(listBackups(backups).map((b) => [b.name, b.reason]), [
      ["production-20260314-091500-replaced.db", "replaced"],
    ]);
    assert.deepEqual(namesIn(dir), ["backups", "cardflow.db", "elsewhere.db"]);
    if (POSIX) assert.equal(Deno.statSync(target).mode! & 0o777, 0o600);
  });
});

Deno.test("rollback after swapIn brings back the exact previous bytes", async () => {
  await withDir(async (dir) => {
    const target = cardflowFile(`${dir}/cardflow.db`, 2);
    const before = await sha256(target);
    const candidate = cardflowFile(`${dir}/elsewhere.db`, 7);
    const swap = swapIn(candidate, target, {
      backupDir: `${dir}/backups`,
      environment: "production",
    });
    // The runtime tried to start on the restored file, which leaves its own -wal and -shm.
    const started = openDatabase(target);
    started.prepare("INSERT INTO store VALUES ('migrated', 'then failed')").run();
    Deno.copyFileSync(`${target}-wal`, `${dir}/wal-of-restored`);
    started.close();
    Deno.copyFileSync(`${dir}/wal-of-restored`, `${target}-wal`);
    Deno.removeSync(`${dir}/wal-of-restored`);
    swap.rollback();
    assert.equal(await sha256(target), before);
    assert.deepEqual(namesIn(dir), ["backups", "cardflow.db", "elsewhere.db"]);
    assert.equal(storeValue(target, "migrated"), undefined);
    assert.equal(listBackups(`${dir}/backups`).length, 1, "the kept copy stays listed");
  });
});

Deno.test("a leftover -wal is folded into the kept copy, never replayed onto the restored one", async () => {
  await withDir((dir) => {
    const live = cardflowDb(`${dir}/live.db`, 1);
    live.exec("PRAGMA wal_checkpoint(TRUNCATE); PRAGMA wal_autocheckpoint = 0");
    live.prepare("INSERT INTO store VALUES ('late', 'only in the wal')").run();
    // As after a crash: the main file and a -wal holding the last commit.
    const target = `${dir}/cardflow.db`;
    Deno.copyFileSync(`${dir}/live.db`, target);
    Deno.copyFileSync(`${dir}/live.db-wal`, `${target}-wal`);
    live.close();
    const candidate = cardflowFile(`${dir}/elsewhere.db`, 5);
    const swap = swapIn(candidate, target, {
      backupDir: `${dir}/backups`,
      environment: "production",
    });
    assert.deepEqual(namesIn(dir).filter((n) => n.startsWith("cardflow")), ["cardflow.db"]);
    assert.equal(storeValue(target, "late"), undefined);
    assert.equal(storeValue(swap.previous!, "late"), "only in the wal");
    swap.rollback();
    assert.equal(storeValue(target, "late"), "only in the wal");
    assert.deepEqual(namesIn(`${dir}/backups`), [swap.previous!.split("/").pop()!]);
  });
});

Deno.test("swapIn refuses a damaged candidate or the database itself and changes nothing", async () => {
  await withDir(async (dir) => {
    const target = cardflowFile(`${dir}/cardflow.db`, 2);
    const before = await sha256(target);
    const junk = write(`${dir}/junk.db`, new TextEncoder().encode("not a database at all"));
    const options = { backupDir: `${dir}/backups`, environment: "production" } as const;
    assert.throws(
      () => swapIn(junk, target, options),
      /junk\.db: the file is not a SQLite database/,
    );
    assert.throws(() => swapIn(target, target, options), /it is the database itself/);
    assert.equal(await sha256(target), before);
    assert.deepEqual(namesIn(dir), ["cardflow.db", "junk.db"]);
  });
});

Deno.test("swapIn onto a fresh install keeps nothing and rollback removes only the copy", async () => {
  await withDir((dir) => {
    const candidate = cardflowFile(`${dir}/elsewhere.db`, 3);
    const target = `${dir}/cardflow.db`;
    const swap = swapIn(candidate, target, {
      backupDir: `${dir}/backups`,
      environment: "development",
    });
    assert.equal(swap.previous, undefined);
    assert.equal(storeValue(target, "key0"), "x".repeat(200));
    swap.rollback();
    assert.deepEqual(namesIn(dir), ["backups", "elsewhere.db"]);
  });
});
