/**
 * Writing and verifying backup files: owner-only copies, a copy that fails
 * its check or meets a full disk leaves nothing behind, and inspecting a
 * file offered for restore refuses every kind of bad one in plain words
 * without changing a byte.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { type BackupError, inspectCandidate } from "@/lib/backup.ts";
import type { Db } from "@/lib/db.ts";
import {
  backupAt,
  cardflowDb,
  cardflowFile,
  POSIX,
  withBackups,
  withDir,
  write,
} from "./helpers/backups.ts";
import { namesIn, sha256 } from "./helpers/files.ts";

Deno.test({
  name: "backups are for the owner only: files 0600 in a folder created 0700",
  ignore: !POSIX,
  fn: async () => {
    await withBackups(async ({ dir: root, db, clock }) => {
      const dir = `${root}/nested/backups`;
      const { file } = await backupAt(db, dir, clock.now);
      assert.equal(Deno.statSync(dir).mode! & 0o777, 0o700);
      assert.equal(Deno.statSync(`${root}/nested`).mode! & 0o777, 0o700);
      assert.equal(Deno.statSync(file.path).mode! & 0o777, 0o600);
    });
  },
});

Deno.test("a copy that fails the caller's check is not kept and leaves nothing behind", async () => {
  await withBackups(async ({ dir, backup }) => {
    await assert.rejects(
      backup({ check: () => "it has no cards table" }),
      (error: BackupError) => {
        assert.equal(error.name, "BackupError");
        assert.match(error.message, /failed its check: it has no cards table/);
        return true;
      },
    );
    assert.deepEqual(namesIn(dir), []);
  });
});

Deno.test("a writer failing for lack of space is reported as a full disk, with no debris", async () => {
  const failures = [
    Object.assign(new Error("No space left on device (os error 28)"), { code: "ENOSPC" }),
    Object.assign(new Error("database or disk is full"), { code: "ERR_SQLITE_ERROR" }),
  ];
  for (const thrown of failures) {
    await withBackups(async ({ dir, backup }) => {
      const failing = async (_db: Db, path: string) => {
        await Deno.writeFile(path, new Uint8Array(4096));
        await Deno.writeFile(`${path}-journal`, new Uint8Array(512));
        throw thrown;
      };
      await assert.rejects(backup({ write: failing }), (error: Error) => {
        assert.equal(error.name, "BackupError");
        assert.match(error.message, /production database: the disk is full/);
        assert.ok(error.message.includes(dir), error.message);
        return true;
      });
      assert.deepEqual(namesIn(dir), []);
    });
  }
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
      const files = namesIn(dir);
      const result = inspectCandidate(path, { check: cardflowSchema });
      assert.equal(result.ok, false);
      if (!result.ok) assert.match(result.problem, candidate.problem);
      assert.equal(await sha256(path), before);
      assert.deepEqual(namesIn(dir), files, "no -wal or -shm left beside it");
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
    assert.deepEqual(namesIn(`${dir}/backups`), [file.name]);
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
