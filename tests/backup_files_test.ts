import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import {
  BACKUP_DEFAULTS,
  backupDatabase,
  type BackupError,
  type BackupOptions,
  inspectCandidate,
  isBackupName,
  listBackups,
  swapIn,
} from "@/lib/backup.ts";
import { type Db, openDatabase } from "@/lib/db.ts";

const POSIX = Deno.build.os !== "windows";

async function withDir(fn: (dir: string) => Promise<void> | void): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "cardflow-backup-files-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** A clock the test moves by hand. */
function clockAt(iso: string) {
  let time = new Date(iso).getTime();
  return {
    now: () => new Date(time),
    set(next: string) {
      time = new Date(next).getTime();
    },
    advance(ms: number) {
      time += ms;
    },
  };
}

/** A Cardflow-like database at `path` with `rows` records in its `store` table. */
function cardflowDb(path: string, rows = 3): Db {
  const db = openDatabase(path);
  db.exec("CREATE TABLE IF NOT EXISTS store (key TEXT PRIMARY KEY, value TEXT)");
  const insert = db.prepare("INSERT OR REPLACE INTO store VALUES (?, ?)");
  for (let i = 0; i < rows; i++) insert.run(`key${i}`, "x".repeat(200));
  return db;
}

/** A closed Cardflow-like database file of about `rows` × 200 bytes. */
function cardflowFile(path: string, rows = 3): string {
  const db = cardflowDb(path, rows);
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  db.close();
  return path;
}

async function sha256(path: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", await Deno.readFile(path));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function names(dir: string): string[] {
  return [...Deno.readDirSync(dir)].map((e) => e.name).sort();
}

function storeValue(path: string, key: string): string | undefined {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    const row = db.prepare("SELECT value FROM store WHERE key = ?").get(key) as
      | { value: string }
      | undefined;
    return row?.value;
  } finally {
    db.close();
  }
}

async function backupAt(db: Db, dir: string, now: () => Date, extra: Partial<BackupOptions> = {}) {
  return await backupDatabase(db, { backupDir: dir, environment: "production", now, ...extra });
}

Deno.test("two backups a minute apart are both listed, newest first", async () => {
  await withDir(async (dir) => {
    const db = cardflowDb(":memory:");
    const clock = clockAt("2026-03-14T09:15:00Z");
    const first = await backupAt(db, dir, clock.now, { reason: "start" });
    clock.advance(60_000);
    const second = await backupAt(db, dir, clock.now);
    assert.equal(first.file.name, "production-20260314-091500-start.db");
    assert.equal(second.file.name, "production-20260314-091600-manual.db");
    const listed = listBackups(dir);
    assert.deepEqual(listed.map((b) => b.name), [second.file.name, first.file.name]);
    assert.deepEqual(listed.map((b) => b.reason), ["manual", "start"]);
    assert.equal(listed[0]!.time.toISOString(), "2026-03-14T09:16:00.000Z");
    assert.ok(listed.every((b) => b.environment === "production" && b.bytes > 0));
    db.close();
  });
});

Deno.test("two backups in the same second give two files, never one over the other", async () => {
  await withDir(async (dir) => {
    const db = cardflowDb(":memory:");
    const clock = clockAt("2026-03-14T09:15:00Z");
    const written = await Promise.all([1, 2, 3].map(() => backupAt(db, dir, clock.now)));
    assert.deepEqual(written.map((w) => w.file.name).sort(), [
      "production-20260314-091500-manual-2.db",
      "production-20260314-091500-manual-3.db",
      "production-20260314-091500-manual.db",
    ]);
    assert.deepEqual(listBackups(dir).map((b) => b.seq), [3, 2, 1]);
    db.close();
  });
});

Deno.test({
  name: "backups are for the owner only: files 0600 in a folder created 0700",
  ignore: !POSIX,
  fn: async () => {
    await withDir(async (root) => {
      const dir = `${root}/nested/backups`;
      const db = cardflowDb(":memory:");
      const { file } = await backupAt(db, dir, () => new Date());
      assert.equal(Deno.statSync(dir).mode! & 0o777, 0o700);
      assert.equal(Deno.statSync(`${root}/nested`).mode! & 0o777, 0o700);
      assert.equal(Deno.statSync(file.path).mode! & 0o777, 0o600);
      db.close();
    });
  },
});

Deno.test("after the clock ran a day ahead and came back, new backups are kept and listed", async () => {
  await withDir(async (dir) => {
    const db = cardflowDb(":memory:");
    const clock = clockAt("2026-03-15T08:00:00Z");
    for (let i = 0; i < 12; i++) {
      await backupAt(db, dir, clock.now);
      clock.advance(3_600_000);
    }
    clock.set("2026-03-14T08:00:00Z");
    const fresh: string[] = [];
    for (let i = 0; i < 12; i++) {
      const { file } = await backupAt(db, dir, clock.now);
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
    db.close();
  });
});

Deno.test("retention never removes the newest three, however little it is asked to keep", async () => {
  await withDir(async (dir) => {
    const db = cardflowDb(":memory:");
    const clock = clockAt("2026-01-01T00:00:00Z");
    const written: string[] = [];
    for (let i = 0; i < 6; i++) {
      const result = await backupAt(db, dir, clock.now, {
        keepNewest: 0,
        keepDays: 0,
        keepAlways: 0,
      });
      written.push(result.file.name);
      clock.advance(86_400_000);
    }
    assert.deepEqual(listBackups(dir).map((b) => b.name), written.slice(-3).reverse());
    db.close();
  });
});

Deno.test("a copy with the newest file time is kept even when its name is old", async () => {
  await withDir(async (dir) => {
    const db = cardflowDb(":memory:");
    const clock = clockAt("2026-01-01T12:00:00Z");
    const tight = { keepNewest: 0, keepDays: 0 };
    const first = await backupAt(db, dir, clock.now, tight);
    for (let i = 0; i < 4; i++) {
      clock.advance(86_400_000);
      await backupAt(db, dir, clock.now, tight);
    }
    assert.ok(!listBackups(dir).some((b) => b.name === first.file.name));
    const renamed = await backupAt(db, dir, () => new Date("2025-12-01T00:00:00Z"), tight);
    const touched = new Date(Date.now() + 3_600_000);
    Deno.utimeSync(renamed.file.path, touched, touched);
    clock.advance(86_400_000);
    await backupAt(db, dir, clock.now, tight);
    assert.ok(listBackups(dir).some((b) => b.name === renamed.file.name));
    db.close();
  });
});

Deno.test("a clock set years back still leaves the newest copies of both clocks", async () => {
  await withDir(async (dir) => {
    const db = cardflowDb(":memory:");
    const clock = clockAt("2026-06-01T12:00:00Z");
    for (let i = 0; i < 5; i++) {
      await backupAt(db, dir, clock.now, { keepNewest: 0, keepDays: 0 });
      clock.advance(60_000);
    }
    clock.set("2000-01-01T00:00:00Z");
    const old = await backupAt(db, dir, clock.now, { keepNewest: 0, keepDays: 0 });
    const listed = listBackups(dir).map((b) => b.name);
    assert.ok(listed.includes(old.file.name));
    // The three newest by name are the real recent copies: they stay too.
    assert.deepEqual(listed.slice(0, 3), [
      "production-20260601-120400-manual.db",
      "production-20260601-120300-manual.db",
      "production-20260601-120200-manual.db",
    ]);
    db.close();
  });
});

Deno.test("retention keeps the newest ten and the newest of each of the last fourteen days", async () => {
  await withDir(async (dir) => {
    const db = cardflowDb(":memory:");
    const clock = clockAt("2026-01-01T00:00:00Z");
    const other = await backupDatabase(db, {
      backupDir: dir,
      environment: "development",
      now: clock.now,
    });
    for (let day = 1; day <= 30; day++) {
      for (const hour of [8, 12, 18]) {
        const [dd, hh] = [day, hour].map((n) => String(n).padStart(2, "0"));
        clock.set(`2026-01-${dd}T${hh}:00:00Z`);
        await backupAt(db, dir, clock.now);
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
    db.close();
  });
});

Deno.test("weeks without backups do not age copies out: days are counted by copies", async () => {
  await withDir(async (dir) => {
    const db = cardflowDb(":memory:");
    const clock = clockAt("2026-01-01T10:00:00Z");
    for (let day = 0; day < 5; day++) {
      await backupAt(db, dir, clock.now, { keepNewest: 3 });
      clock.advance(86_400_000);
    }
    clock.set("2026-06-01T10:00:00Z");
    const { removed } = await backupAt(db, dir, clock.now, { keepNewest: 3 });
    assert.deepEqual(removed, []);
    assert.equal(listBackups(dir).length, 6);
    db.close();
  });
});

Deno.test("old daily names are listed and fall under the same retention", async () => {
  await withDir(async (dir) => {
    const db = cardflowDb(":memory:");
    const seed = await backupAt(db, dir, () => new Date("2025-12-01T00:00:00Z"));
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
    const { file, removed } = await backupAt(db, dir, () => new Date("2026-01-21T12:00:00Z"));
    assert.deepEqual(
      removed.sort(),
      [1, 2, 3, 4, 5, 6, 7].map((d) => `production-2026-01-0${d}.db`),
    );
    assert.equal(listBackups(dir)[0]!.name, file.name);
    db.close();
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

Deno.test("a copy that fails the caller's check is not kept and leaves nothing behind", async () => {
  await withDir(async (dir) => {
    const db = cardflowDb(":memory:");
    await assert.rejects(
      backupAt(db, dir, () => new Date(), { check: () => "it has no cards table" }),
      (error: BackupError) => {
        assert.equal(error.name, "BackupError");
        assert.match(error.message, /failed its check: it has no cards table/);
        return true;
      },
    );
    assert.deepEqual(names(dir), []);
    db.close();
  });
});

Deno.test("a writer failing for lack of space is reported as a full disk, with no debris", async () => {
  const failures = [
    Object.assign(new Error("No space left on device (os error 28)"), { code: "ENOSPC" }),
    Object.assign(new Error("database or disk is full"), { code: "ERR_SQLITE_ERROR" }),
  ];
  for (const thrown of failures) {
    await withDir(async (dir) => {
      const db = cardflowDb(":memory:");
      const write = async (_db: Db, path: string) => {
        await Deno.writeFile(path, new Uint8Array(4096));
        await Deno.writeFile(`${path}-journal`, new Uint8Array(512));
        throw thrown;
      };
      await assert.rejects(backupAt(db, dir, () => new Date(), { write }), (error: Error) => {
        assert.equal(error.name, "BackupError");
        assert.match(error.message, /production database: the disk is full/);
        assert.ok(error.message.includes(dir), error.message);
        return true;
      });
      assert.deepEqual(names(dir), []);
      db.close();
    });
  }
});

async function mountTinyDisk(dir: string): Promise<boolean> {
  if (Deno.build.os !== "linux") return false;
  try {
    const mount = new Deno.Command("mount", {
      args: ["-t", "tmpfs", "-o", "size=64k,mode=0700", "tmpfs", dir],
      stdout: "null",
      stderr: "null",
    });
    return (await mount.output()).success;
  } catch {
    return false;
  }
}

async function unmount(dir: string): Promise<void> {
  await new Deno.Command("umount", { args: [dir], stdout: "null", stderr: "null" }).output();
}

const probe = await Deno.makeTempDir({ prefix: "cardflow-tmpfs-probe-" });
const canMount = await mountTinyDisk(probe);
if (canMount) await unmount(probe);
await Deno.remove(probe);
const tmpfsNote = canMount ? "" : " (skipped: cannot mount a tmpfs here; needs Linux and root)";

Deno.test({
  name:
    `a backup onto a full 64 KiB disk says the disk is full and where, and leaves no temp file${tmpfsNote}`,
  ignore: !canMount,
  fn: async () => {
    await withDir(async (root) => {
      const disk = `${root}/disk`;
      Deno.mkdirSync(disk);
      assert.ok(await mountTinyDisk(disk));
      try {
        const db = cardflowDb(`${root}/big.db`, 2000);
        const dir = `${disk}/backups`;
        await assert.rejects(backupAt(db, dir, () => new Date()), (error: Error) => {
          assert.equal(error.name, "BackupError");
          assert.match(error.message, /the disk is full \(no room left in .*\/disk\/backups\)/);
          return true;
        });
        assert.deepEqual(names(dir), []);
        db.close();
      } finally {
        await unmount(disk);
      }
    });
  },
});

Deno.test({
  name: `a restore onto a full disk fails before anything changes${tmpfsNote}`,
  ignore: !canMount,
  fn: async () => {
    await withDir(async (root) => {
      const disk = `${root}/disk`;
      Deno.mkdirSync(disk);
      assert.ok(await mountTinyDisk(disk));
      try {
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
        assert.deepEqual(names(disk), ["cardflow.db"]);
        assert.deepEqual(listBackups(`${root}/backups`), []);
      } finally {
        await unmount(disk);
      }
    });
  },
});

/** Files a hostile tester might offer for restore, each built in `dir`. */
const CANDIDATES: { name: string; make: (dir: string) => string; problem: RegExp }[] = [
  {
    name: "an empty file",
    make: (dir) => write(`${dir}/empty.db`, new Uint8Array()),
    problem: /^the file is empty \(0 bytes\)$/,
  },
  {
    name: "a text file",
    make: (dir) => write(`${dir}/notes.db`, new TextEncoder().encode("dear diary\n".repeat(50))),
    problem: /^the file is not a SQLite database$/,
  },
  {
    name: "random bytes",
    make: (dir) => write(`${dir}/noise.db`, crypto.getRandomValues(new Uint8Array(8192))),
    problem: /^the file is not a SQLite database$/,
  },
  {
    name: "a truncated copy of a real database",
    make: (dir) => {
      const bytes = Deno.readFileSync(cardflowFile(`${dir}/whole.db`, 2000));
      return write(`${dir}/cut.db`, bytes.subarray(0, Math.floor(bytes.length / 2) + 123));
    },
    problem: /^the database is damaged: the file is cut short \(\d+ bytes of \d+\)$/,
  },
  {
    name: "a database with corrupted pages",
    make: (dir) => {
      const bytes = Deno.readFileSync(cardflowFile(`${dir}/whole.db`, 2000));
      const middle = Math.floor(bytes.length / 2);
      for (let i = 0; i < 8192; i++) bytes[middle + i] = (i * 7) & 0xff;
      return write(`${dir}/corrupt.db`, bytes);
    },
    problem: /^the database is damaged: (?!\*\*\*)\S/,
  },
  {
    name: "a sound SQLite database with someone else's tables",
    make: (dir) => {
      const db = new DatabaseSync(`${dir}/invoices.db`);
      db.exec("CREATE TABLE invoices (id INTEGER PRIMARY KEY); CREATE TABLE customers (id)");
      db.exec("INSERT INTO invoices VALUES (1)");
      db.close();
      return `${dir}/invoices.db`;
    },
    problem:
      /^it is not a Cardflow database: it has none of the tables Cardflow uses \(found: customers, invoices\)$/,
  },
  {
    name: "a Cardflow database without a single record",
    make: (dir) => cardflowFile(`${dir}/blank.db`, 0),
    problem: /^it is empty \(no records\); restore it anyway only if you mean to$/,
  },
  {
    name: "a database whose last changes are still in its -wal",
    make: (dir) => {
      const db = cardflowDb(`${dir}/live.db`, 1);
      db.exec("PRAGMA wal_checkpoint(TRUNCATE); PRAGMA wal_autocheckpoint = 0");
      db.prepare("INSERT INTO store VALUES ('late', 'in the wal')").run();
      Deno.copyFileSync(`${dir}/live.db`, `${dir}/copied.db`);
      Deno.copyFileSync(`${dir}/live.db-wal`, `${dir}/copied.db-wal`);
      db.close();
      return `${dir}/copied.db`;
    },
    problem: /^it has changes not yet written into it, in .*copied\.db-wal \(\d+ bytes\)/,
  },
];

function write(path: string, bytes: Uint8Array): string {
  Deno.writeFileSync(path, bytes);
  return path;
}

/** The services layer's idea of a Cardflow schema, as a test stand-in. */
function cardflowSchema(db: DatabaseSync): string | undefined {
  const tables = (db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
    .all() as { name: string }[]).map((t) => t.name);
  if (tables.includes("store")) return undefined;
  return `it is not a Cardflow database: it has none of the tables Cardflow uses (found: ${
    tables.join(", ")
  })`;
}

for (const candidate of CANDIDATES) {
  Deno.test(`inspecting ${candidate.name} refuses it in plain words and changes no byte`, async () => {
    await withDir(async (dir) => {
      const path = candidate.make(dir);
      const before = await sha256(path);
      const files = names(dir);
      const result = inspectCandidate(path, { check: cardflowSchema });
      assert.equal(result.ok, false);
      if (!result.ok) assert.match(result.problem, candidate.problem);
      assert.equal(await sha256(path), before);
      assert.deepEqual(names(dir), files, "no -wal or -shm left beside it");
    });
  });
}

Deno.test("inspecting a sound backup lists its tables and records and leaves no -wal or -shm", async () => {
  await withDir(async (dir) => {
    const db = cardflowDb(`${dir}/live.db`, 4);
    const { file } = await backupAt(db, `${dir}/backups`, () => new Date());
    db.close();
    const before = await sha256(file.path);
    assert.deepEqual(inspectCandidate(file.path, { check: cardflowSchema }), {
      ok: true,
      tables: ["store"],
      rows: 4,
    });
    assert.equal(await sha256(file.path), before);
    assert.deepEqual(names(`${dir}/backups`), [file.name]);
    const blank = cardflowFile(`${dir}/blank.db`, 0);
    assert.deepEqual(inspectCandidate(blank, { allowEmpty: true }), {
      ok: true,
      tables: ["store"],
      rows: 0,
    });
    assert.deepEqual(inspectCandidate(`${dir}/missing.db`), {
      ok: false,
      problem: "the file does not exist",
    });
  });
});

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
    assert.deepEqual(names(dir), ["backups", "cardflow.db", "elsewhere.db"]);
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
    assert.deepEqual(names(dir), ["backups", "cardflow.db", "elsewhere.db"]);
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
    assert.deepEqual(names(dir).filter((n) => n.startsWith("cardflow")), ["cardflow.db"]);
    assert.equal(storeValue(target, "late"), undefined);
    assert.equal(storeValue(swap.previous!, "late"), "only in the wal");
    swap.rollback();
    assert.equal(storeValue(target, "late"), "only in the wal");
    assert.deepEqual(names(`${dir}/backups`), [swap.previous!.split("/").pop()!]);
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
    assert.deepEqual(names(dir), ["cardflow.db", "junk.db"]);
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
    assert.deepEqual(names(dir), ["backups", "elsewhere.db"]);
  });
});
