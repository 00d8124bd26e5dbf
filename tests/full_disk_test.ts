/**
 * A full disk, for real: a small tmpfs mounted for the test (Linux, as root).
 * A write answers 507 "the disk is full" and the app keeps serving what it
 * has; "Back up now" into a full backup folder says so and leaves no file;
 * a backup or a restore of the files themselves onto a full disk fails
 * before anything changes. Where no tmpfs can be mounted, the tests are
 * listed as skipped and why.
 */
import assert from "node:assert/strict";
import { listBackups, swapIn } from "@/lib/backup.ts";
import { testApp } from "./helpers/app.ts";
import { backupAt, cardflowDb, cardflowFile, withDir } from "./helpers/backups.ts";
import { namesIn, sha256 } from "./helpers/files.ts";

async function mount(dir: string, size: string): Promise<boolean> {
  if (Deno.build.os !== "linux" || Deno.uid() !== 0) return false;
  try {
    const out = await new Deno.Command("mount", {
      args: ["-t", "tmpfs", "-o", `size=${size},mode=0700`, "tmpfs", dir],
      stdout: "null",
      stderr: "null",
    }).output();
    return out.success;
  } catch {
    return false;
  }
}

async function unmount(dir: string): Promise<void> {
  await new Deno.Command("umount", { args: [dir], stdout: "null", stderr: "null" }).output();
}

const probe = await Deno.makeTempDir({ prefix: "cardflow-tmpfs-probe-" });
const canMount = await mount(probe, "64k");
if (canMount) await unmount(probe);
await Deno.remove(probe);
const skipped = canMount ? "" : " (skipped: cannot mount a tmpfs here; needs Linux and root)";

/** Fill the file system of `dir` until a write fails, leaving no room at all. */
function fill(dir: string): void {
  using file = Deno.openSync(`${dir}/filler`, { create: true, write: true });
  const block = new Uint8Array(4096);
  try {
    for (;;) file.writeSync(block);
  } catch { /* full */ }
}

Deno.test({
  name: `a write on a full disk answers 507 "the disk is full" and reads keep working${skipped}`,
  ignore: !canMount,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const base = await Deno.makeTempDir({ prefix: "cardflow-full-" });
    const dataDir = `${base}/disk`;
    await Deno.mkdir(dataDir);
    assert.ok(await mount(dataDir, "1m"));
    const app = testApp({ config: { dataDir, backupDir: `${base}/backups` } });
    try {
      assert.equal((await app.post("/tasks", { name: "before the disk filled" })).status, 200);
      fill(dataDir);
      const statuses = new Set<number>();
      let answer = "";
      // The first writes may still fit in pages SQLite holds; the disk runs out within a few.
      for (let i = 0; i < 200 && !statuses.has(507); i++) {
        const res = await app.post("/tasks", { name: `task ${i} ${"x".repeat(190)}` });
        statuses.add(res.status);
        answer = await res.text();
      }
      assert.ok(statuses.has(507), `statuses seen: ${[...statuses]}`);
      assert.deepEqual([...statuses].filter((s) => s !== 200 && s !== 507), []);
      assert.match(answer, /The disk is full, so nothing was saved/);
      const list = await app.request("/tasks");
      assert.equal(list.status, 200);
      assert.match(await list.text(), /before the disk filled/);
    } finally {
      await app.close();
      await unmount(dataDir);
      await Deno.remove(base, { recursive: true });
    }
  },
});

Deno.test({
  name:
    `"Back up now" into a full backup folder answers 507 saying so, and leaves no file${skipped}`,
  ignore: !canMount,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dataDir = await Deno.makeTempDir({ prefix: "cardflow-full-backup-" });
    const backupDir = `${dataDir}-backups`;
    await Deno.mkdir(backupDir);
    assert.ok(await mount(backupDir, "64k"));
    const app = testApp({ config: { dataDir, backupDir } });
    try {
      // More records than the 64 KiB disk holds a copy of.
      for (let i = 0; i < 40; i++) {
        const res = await app.post("/tasks", { name: `task ${i} ${"y".repeat(190)}` });
        assert.equal(res.status, 200);
        await res.body?.cancel();
      }
      const res = await app.post("/backups", {});
      assert.equal(res.status, 507);
      assert.match(
        await res.text(),
        /Could not back up the development database: the disk is full \(no room left in .*-backups\)/,
      );
      assert.deepEqual(listBackups(backupDir).filter((b) => b.reason === "manual"), []);
      const debris = [...Deno.readDirSync(backupDir)].filter((e) => e.name.startsWith("."));
      assert.deepEqual(debris, [], "no temp file left");
    } finally {
      await app.close();
      await unmount(backupDir);
      await Deno.remove(backupDir, { recursive: true });
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});

/** Run `fn` in a temporary folder `root` with a 64 KiB tmpfs mounted at `disk` inside it. */
async function withTinyDisk(fn: (root: string, disk: string) => Promise<void>): Promise<void> {
  await withDir(async (root) => {
    const disk = `${root}/disk`;
    Deno.mkdirSync(disk);
    assert.ok(await mount(disk, "64k"));
    try {
      await fn(root, disk);
    } finally {
      await unmount(disk);
    }
  });
}

Deno.test({
  name:
    `a backup onto a full 64 KiB disk says the disk is full and where, and leaves no temp file${skipped}`,
  ignore: !canMount,
  fn: async () => {
    await withTinyDisk(async (root, disk) => {
      const db = cardflowDb(`${root}/big.db`, 2000);
      const dir = `${disk}/backups`;
      await assert.rejects(backupAt(db, dir, () => new Date()), (error: Error) => {
        assert.equal(error.name, "BackupError");
        assert.match(error.message, /the disk is full \(no room left in .*\/disk\/backups\)/);
        return true;
      });
      assert.deepEqual(namesIn(dir), []);
      db.close();
    });
  },
});

Deno.test({
  name: `a restore onto a full disk fails before anything changes${skipped}`,
  ignore: !canMount,
  fn: async () => {
    await withTinyDisk(async (root, disk) => {
      const target = `${disk}/cardflow.db`;
      Deno.copyFileSync(cardflowFile(`${root}/small.db`, 1), target);
      const before = await sha256(target);
      const candidate = cardflowFile(`${root}/candidate.db`, 2000);
      assert.throws(
        () =>
          swapIn(candidate, target, { backupDir: `${root}/backups`, environment: "production" }),
        (error: Error) => {
          assert.equal(error.name, "BackupError");
          assert.match(error.message, /the disk is full \(no room left in .*\/disk\)/);
          return true;
        },
      );
      assert.equal(await sha256(target), before);
      assert.deepEqual(namesIn(disk), ["cardflow.db"]);
      assert.deepEqual(listBackups(`${root}/backups`), []);
    });
  },
});
