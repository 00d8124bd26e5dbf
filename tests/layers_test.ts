/**
 * The layers must stay visible in the tree: every import goes to the same
 * floor or below, no two modules import each other (directly or around a
 * loop), SQL is written only in the table layer and the services, no value
 * is forced through `as unknown as`, and a rule two layers share is written
 * in one file.
 */
import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url).pathname;

/** Floors, lowest first; a module may import its own floor or any below. */
const FLOORS: Record<string, number> = {
  lib: 0,
  components: 0,
  static: 0,
  pipeline: 1,
  services: 2,
  web: 3,
  engines: 4,
  chat: 4,
  routes: 4,
  app: 5,
  plugins: 1,
  "main.ts": 6,
};

function floorOf(file: string): string {
  return file.split("/")[0]!;
}

function sources(dir: string): string[] {
  const found: string[] = [];
  for (const entry of Deno.readDirSync(ROOT + dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) found.push(...sources(path));
    else if (/\.tsx?$/.test(entry.name) && !entry.name.endsWith(".gen.ts")) found.push(path);
  }
  return found;
}

const FILES = [
  ...Object.keys(FLOORS).filter((f) => !f.endsWith(".ts")).flatMap(sources),
  "main.ts",
];

/** The project files `file` imports (relative or `@/`), normalised to root-relative paths. */
function importsOf(file: string): string[] {
  const text = Deno.readTextFileSync(ROOT + file);
  const specifiers = [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^;]*?from\s+"([^"]+)"/g)]
    .map((m) => m[1]!);
  const out: string[] = [];
  for (const spec of specifiers) {
    let path: string | undefined;
    if (spec.startsWith("@/")) path = spec.slice(2);
    else if (spec.startsWith(".")) {
      path = new URL(spec, `file://${ROOT}${file}`).pathname.slice(ROOT.length);
    }
    if (path && /\.tsx?$/.test(path)) out.push(path);
  }
  return out;
}

Deno.test("every import goes to the same floor or below", () => {
  const upward: string[] = [];
  for (const file of FILES) {
    const from = FLOORS[floorOf(file)] ?? FLOORS[file]!;
    for (const target of importsOf(file)) {
      const to = FLOORS[floorOf(target)] ?? FLOORS[target];
      if (to === undefined) {
        upward.push(`${file} imports ${target}, which is on no floor`);
      } else if (to > from) {
        upward.push(`${file} (floor ${from}) imports ${target} (floor ${to})`);
      }
    }
  }
  assert.deepEqual(upward, []);
});

Deno.test("lib/ is infrastructure: it imports nothing of the project outside lib/", () => {
  const outside = sources("lib").flatMap((file) =>
    importsOf(file).filter((t) => !t.startsWith("lib/")).map((t) => `${file} → ${t}`)
  );
  assert.deepEqual(outside, []);
});

Deno.test("no two modules import each other, directly or around a loop", () => {
  const graph = new Map(FILES.map((f) => [f, importsOf(f)]));
  const cycles: string[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (file: string, path: string[]) => {
    if (state.get(file) === "done") return;
    if (state.get(file) === "visiting") {
      cycles.push([...path.slice(path.indexOf(file)), file].join(" → "));
      return;
    }
    state.set(file, "visiting");
    for (const next of graph.get(file) ?? []) visit(next, [...path, file]);
    state.set(file, "done");
  };
  for (const file of FILES) visit(file, []);
  assert.deepEqual(cycles, []);
});

Deno.test("a plugin imports only the plugin API, components and libraries", () => {
  const offenders = sources("plugins").filter((f) => !f.endsWith("manifest.gen.ts")).flatMap((
    file,
  ) =>
    importsOf(file).filter((t) => t !== "pipeline/mod.ts" && !t.startsWith("components/"))
      .map((t) => `${file} → ${t}`)
  );
  assert.deepEqual(offenders, []);
});

/** The code of `file`: its text without comment lines, which may name SQL they do not run. */
function codeOf(file: string): string {
  return Deno.readTextFileSync(ROOT + file).split("\n")
    .filter((line) => !/^\s*(\/\/|\/\*|\*)/.test(line)).join("\n");
}

Deno.test("SQL is written only in the table layer, the services, and the backup checks", () => {
  const sql =
    /\.(prepare|exec)\(\s*[`"']|[`"'](SELECT|INSERT INTO|DELETE FROM|UPDATE|PRAGMA|CREATE)\s/;
  // The two backup files run SQL on a candidate or a copy, never on the app's database.
  const allowed = (file: string) =>
    file.startsWith("services/") ||
    [
      "lib/db.ts",
      "lib/table.ts",
      "lib/store.ts",
      "lib/backup_inspect.ts",
      "lib/backup_restore.ts",
    ].includes(file);
  const offenders = FILES.filter((file) => !allowed(file) && sql.test(codeOf(file)));
  assert.deepEqual(offenders, []);
});

Deno.test("no value is forced through `as unknown as`, and no JSON is searched with LIKE", () => {
  const offenders = FILES.filter((file) => {
    const text = Deno.readTextFileSync(ROOT + file);
    return /as unknown as/.test(text) || /LIKE\s+'%"/.test(text);
  });
  assert.deepEqual(offenders, []);
});

Deno.test("the tests force no value through `as unknown as` either", () => {
  const tests = [
    ...[...Deno.readDirSync(ROOT + "tests")].map((e) => `tests/${e.name}`),
    ...[...Deno.readDirSync(ROOT + "tests/helpers")].map((e) => `tests/helpers/${e.name}`),
  ].filter((file) => /\.tsx?$/.test(file) && file !== "tests/layers_test.ts");
  const offenders = tests.filter((file) =>
    /as unknown as/.test(Deno.readTextFileSync(ROOT + file))
  );
  assert.deepEqual(offenders, []);
});

Deno.test("no plugin definition is downcast: isKind and pluginsOf narrow the union", () => {
  const offenders = FILES.filter((file) =>
    /\bas (?:Crud|Workflow|Page)Definition\b/.test(Deno.readTextFileSync(ROOT + file))
  );
  assert.deepEqual(offenders, []);
});

/** The app's browser scripts (not the vendored libraries). */
const SCRIPTS = [...Deno.readDirSync(ROOT + "static")]
  .filter((e) => e.isFile && e.name.endsWith(".js")).map((e) => `static/${e.name}`);

/** The app's files (not tests/) whose text matches `pattern`. */
function filesMatching(pattern: RegExp): string[] {
  return [...FILES, ...SCRIPTS].filter((file) => pattern.test(Deno.readTextFileSync(ROOT + file)))
    .sort();
}

Deno.test("one HTML escaper: only lib/html.ts turns & into an entity", () => {
  // `&amp;` written out, or a replace over a character class holding `&` (any entity form).
  assert.deepEqual(filesMatching(/&amp;|&#(?:38|x26);|\.replace(?:All)?\(\s*\/\[[^\]]*&/), [
    "lib/html.ts",
  ]);
});

Deno.test("one list of loopback names: only lib/loopback.ts spells ::1 or the 127.0.0.0/8 rule", () => {
  assert.deepEqual(filesMatching(/["']\[?::1\]?["']|\^127\(/), ["lib/loopback.ts"]);
});

Deno.test("no status is dug out of an error's cause: describeError maps classes", () => {
  assert.deepEqual(filesMatching(/cause\??\.status|cause\?: \{ status/), []);
});
