/**
 * No GET changes anything. Every GET route the router lists is requested as
 * another site's page would (an `<img>`, a link, a fetch), with real run
 * keys, step ids and record ids and every query a route reads, including
 * `?edit=<step>` (which once wrote a chat note). Afterwards the database is
 * byte-for-byte what it was: every table's rows, `total_changes()` on
 * Cardflow's connection, `PRAGMA data_version` seen from another connection
 * (which moves on any commit), and the data folder's files; and no event
 * went out on the bus or the live stream.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { listBackups } from "@/lib/backup.ts";
import { dump, testApp } from "./helpers/app.ts";

/** What another site can make a browser send to Cardflow with a GET. */
const CROSS_SITE: Record<string, string>[] = [
  // <img src="http://localhost:5001/hello/run/KEY?edit=step_01">
  { "sec-fetch-site": "cross-site", "sec-fetch-mode": "no-cors", "sec-fetch-dest": "image" },
  // A link or window.open
  { "sec-fetch-site": "cross-site", "sec-fetch-mode": "navigate", "sec-fetch-dest": "document" },
  // fetch() with its Origin, and an htmx-looking one (a CORS preflight would stop the header,
  // but a GET with no preflight still reaches the server)
  { origin: "http://evil.example", "sec-fetch-site": "cross-site", "hx-request": "true" },
  // An old browser that sends neither
  {},
];

function files(dir: string, prefix = ""): string[] {
  const out: string[] = [];
  for (const entry of Deno.readDirSync(dir)) {
    const path = `${prefix}${entry.name}`;
    if (entry.isDirectory) out.push(...files(`${dir}/${entry.name}`, `${path}/`));
    // The -shm is SQLite's shared memory: readers touch it too.
    else if (!path.endsWith("-shm")) {
      out.push(`${path} ${Deno.statSync(`${dir}/${entry.name}`).size}`);
    }
  }
  return out.sort();
}

Deno.test("every GET route, asked for by another site, leaves the database and the data folder byte-identical", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "cardflow-get-" });
  const app = testApp({ config: { dataDir } });
  try {
    // Real data to point the routes at.
    const post = async (path: string, form: Record<string, string>) => {
      const res = await app.post(path, form);
      const text = await res.text();
      assert.ok(res.status < 400, `${path}: ${res.status} ${text}`);
    };
    await post("/hello/start", { key: "walk" });
    await post("/hello/run/walk/step/step_01", { version: "1", name: "Ada" });
    await post("/hello/run/walk/step/step_02", { version: "2", greeting: "Hello, Ada!" });
    await post("/showcase/start", { key: "walk-showcase" });
    await post("/showcase/run/walk-showcase/step/title", { version: "1", title: "Walk" });
    await post("/site-inspector/start", { key: "walk-inspect" });
    await post("/tasks", { name: "walk the routes" });
    const services = app.runtime.services();
    const profile = services.profiles.current().id ?? 0;
    const message = services.conversation.add(profile, "user", "a message, so the chat views show");
    services.conversation.add(profile, "assistant", "an answer");
    // The start-up backup, written once a second after start: wait, so it is not mistaken for a GET.
    for (let i = 0; listBackups(`${dataDir}/backups`).length === 0; i++) {
      if (i > 500) throw new Error("no start-up backup after 10 s");
      await new Promise((r) => setTimeout(r, 20));
    }

    const ids = (slug: string) =>
      services.crud.get(slug).list().map((r) => String((r as { id: number }).id));
    const values: Record<string, string[]> = {
      key: ["walk", "walk-showcase", "walk-inspect", "default-hello-01", "no such run"],
      kind: ["csv", "json", "nope"],
      step: [
        ...new Set(services.workflows.all().flatMap((w) => w.definition.steps.map((s) => s.id))),
        "nope",
      ],
      // Record ids, and a chat message's for /chat/message/:id and its edit form.
      id: [...ids("tasks"), ...ids("profiles"), ...ids("roles"), String(message.id), "999999", "x"],
      name: ["app.css", "app.js", "htmx.min.js", "../deno.json"],
    };
    const queries = [
      "",
      ...values.step!.map((s) => `?edit=${s}`),
      "?role=user",
      "?by=-1",
      "?cascade=1",
      "?v=1",
    ];
    const paths = new Map<string, string>(); // concrete path → route
    for (const route of app.runtime.app().routes) {
      if (route.method !== "GET" && route.method !== "ALL") continue;
      if (route.path === "/*") continue; // middleware, not a route
      let concrete = [route.path];
      for (const [param, options] of Object.entries(values)) {
        concrete = concrete.flatMap((p) =>
          p.includes(`:${param}`)
            ? options.map((v) => p.replace(`:${param}`, encodeURIComponent(v)))
            : [p]
        );
      }
      for (const path of concrete) {
        for (const query of queries) paths.set(path + query, route.path);
      }
    }
    assert.ok(paths.size > 500, `only ${paths.size} GET requests to try`);

    const events: string[] = [];
    const off = [
      app.runtime.deps().bus.on("pipeline", (e) => void events.push(`pipeline ${e.operation}`)),
      app.runtime.deps().bus.on("crud", (e) => void events.push(`crud ${JSON.stringify(e)}`)),
      app.runtime.deps().live.subscribe((m) => void events.push(`live ${m.event}`)),
    ];
    const observer = new DatabaseSync(`${dataDir}/cardflow-dev.db`, { readOnly: true });
    const version = () =>
      (observer.prepare("PRAGMA data_version").get() as { data_version: number }).data_version;
    const changes = () =>
      (app.runtime.db().prepare("SELECT total_changes() AS n").get() as { n: number }).n;
    const before = {
      rows: dump(app.runtime.db()),
      version: version(),
      changes: changes(),
      files: files(dataDir),
    };
    const answered = new Set<string>(); // routes that answered 200 to some request
    try {
      for (const [path, route] of paths) {
        for (const headers of CROSS_SITE) {
          const abort = new AbortController();
          const res = await app.request(path, { headers, signal: abort.signal });
          if (res.status === 200) answered.add(route);
          assert.ok(res.status < 500, `GET ${path} → ${res.status}`);
          if (path.startsWith("/events")) {
            // The live stream never ends: read its first event, then hang up.
            const reader = res.body!.getReader();
            await reader.read();
            await reader.cancel();
          } else {
            await res.body?.cancel();
          }
        }
      }
      await new Promise((r) => setTimeout(r, 50)); // bus listeners run in a later task
      assert.deepEqual(events, [], "no event went out");
      assert.equal(changes(), before.changes, "no row was written by Cardflow's connection");
      assert.equal(version(), before.version, "no commit seen from another connection");
      assert.equal(dump(app.runtime.db()), before.rows, "every table holds the same rows");
      assert.deepEqual(files(dataDir), before.files, "the data folder holds the same files");
      const unanswered = [...new Set(paths.values())].filter((r) => !answered.has(r));
      // /ws answers only a WebSocket upgrade, which the guard refuses cross-site. The others have
      // nothing to show for these runs: Hello has no job, no file and no download; the site
      // inspector's downloads and files need a crawl, and the showcase has no
      // download. tests/workflow_transfer_test.ts checks that downloads and files write nothing.
      assert.deepEqual(
        unanswered.sort(),
        [
          "/hello/run/:key/file/:name",
          "/hello/run/:key/step/:step/download/:kind",
          "/hello/run/:key/step/:step/progress",
          "/showcase/run/:key/file/:name",
          "/showcase/run/:key/step/:step/download/:kind",
          "/site-inspector/run/:key/file/:name",
          "/site-inspector/run/:key/step/:step/download/:kind",
          "/ws",
        ],
        "every other route was reached with real params",
      );
    } finally {
      observer.close();
      for (const unsubscribe of off) unsubscribe();
    }
  } finally {
    await app.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});
