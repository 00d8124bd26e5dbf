/**
 * The local access token: requests without it are refused (pages, htmx
 * fragments, writes, the event stream, the WebSocket), the printed URL logs a
 * browser in with an HttpOnly SameSite=Strict cookie and a redirect to the
 * clean URL, other clients send `Authorization: Bearer`, and the token lives
 * in the data folder (0600) across restarts.
 */
import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import { cookieName, loadToken, portOf, sameToken } from "@/lib/access_token.ts";
import { testApp } from "./helpers/app.ts";
import { browserPath, CHROMIUM_ARGS, startTestServer } from "./helpers/browser.ts";
import { processTest, runCardflow, spawnCardflow } from "./helpers/process.ts";
import { openWebSocket } from "./helpers/ws_client.ts";

async function withApp(fn: (app: ReturnType<typeof testApp>, dataDir: string) => Promise<void>) {
  const dataDir = await Deno.makeTempDir({ prefix: "cardflow-token-" });
  const app = testApp({ config: { dataDir, token: true } });
  try {
    await fn(app, dataDir);
  } finally {
    await app.close();
    await Deno.remove(dataDir, { recursive: true });
  }
}

processTest(
  "without the token every kind of request is refused with a plain page saying what to open",
  async () => {
    await withApp(async (app) => {
      const stranger = { cookie: "other=1" }; // a header of its own, so the helper adds no token
      const asks: [string, RequestInit & { htmx?: boolean }][] = [
        ["/", { headers: { ...stranger, accept: "text/html" } }],
        ["/tasks", { headers: stranger, htmx: true }],
        ["/events", { headers: stranger }],
        ["/ws", { headers: { ...stranger, upgrade: "websocket", connection: "upgrade" } }],
        ["/static/app.css", { headers: stranger }],
        ["/tasks", { method: "POST", headers: stranger, body: new URLSearchParams({ name: "x" }) }],
        ["/", { headers: { authorization: "Bearer not-the-token" } }],
        ["/", { headers: { cookie: `${cookieName("5001")}=not-the-token` } }],
        // Another port's cookie is another Cardflow's.
        ["/", { headers: { cookie: `${cookieName("5002")}=${app.runtime.token}` } }],
      ];
      for (const [path, init] of asks) {
        const res = await app.request(path, init);
        assert.equal(res.status, 401, `${init.method ?? "GET"} ${path}`);
        const page = await res.text();
        assert.match(page, /Cardflow needs its access token\. Open the link Cardflow printed/);
        assert.match(page, /http:\/\/localhost:5001\/\?token=…/);
        assert.doesNotMatch(page, /app-menu|data-context|Tasks/, "nothing of the app is shown");
        assert.equal(res.headers.get("x-frame-options"), "DENY");
      }
      assert.equal(app.runtime.services().crud.get("tasks").list().length, 0, "nothing written");
    });
  },
);

processTest(
  "the printed URL sets an HttpOnly SameSite=Strict cookie for this port and redirects to the clean URL",
  async () => {
    await withApp(async (app) => {
      const token = app.runtime.token!;
      const login = await app.request(`/tasks?token=${token}&view=1`, { headers: { cookie: "" } });
      assert.equal(login.status, 303);
      assert.equal(login.headers.get("location"), "/tasks?view=1");
      const cookie = login.headers.get("set-cookie") ?? "";
      assert.match(cookie, new RegExp(`^${cookieName("5001")}=${token};`));
      assert.match(cookie, /HttpOnly/);
      assert.match(cookie, /SameSite=Strict/);
      assert.match(cookie, /Path=\//);
      const pair = cookie.split(";")[0]!;
      for (const path of ["/", "/tasks", "/events", "/backups"]) {
        const res = await app.request(path, { headers: { cookie: pair } });
        assert.equal(res.status, 200, path);
        if (path === "/events") await res.body?.cancel();
        else await res.text();
      }
      const write = await app.request("/tasks", {
        method: "POST",
        headers: { cookie: pair, "hx-request": "true" },
        body: new URLSearchParams({ name: "with the cookie" }),
      });
      assert.equal(write.status, 200);
      await write.body?.cancel();
      const bearer = await app.request("/tasks", {
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(bearer.status, 200);
      await bearer.body?.cancel();
    });
  },
);

processTest("a login link with a wrong token is refused and sets no cookie", async () => {
  await withApp(async (app) => {
    const res = await app.request("/?token=0123456789abcdef0123456789abcdef0123456789abcdef", {
      headers: { cookie: "" },
    });
    assert.equal(res.status, 401);
    assert.equal(res.headers.get("set-cookie"), null);
    assert.match(await res.text(), /That link holds a token this Cardflow does not know/);
  });
});

processTest("the cookie is named for the port the browser used, and tokens compare whole", () => {
  assert.equal(portOf("localhost:5001"), "5001");
  assert.equal(portOf("[::1]:5002"), "5002");
  assert.equal(portOf("[::1]"), "");
  assert.equal(portOf("box.local"), "");
  assert.equal(cookieName(""), "cardflow-token-80");
  assert.ok(sameToken("abc123", "abc123"));
  for (const other of ["abc124", "abc12", "abc1234", "", undefined, null]) {
    assert.ok(!sameToken(other, "abc123"), String(other));
  }
  return Promise.resolve();
});

processTest("the token is one per data folder, owner-only, kept across restarts", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "cardflow-token-file-" });
  try {
    const first = loadToken(dataDir);
    assert.match(first, /^[0-9a-f]{48}$/);
    assert.equal(Deno.statSync(`${dataDir}/token`).mode! & 0o777, 0o600);
    assert.equal(loadToken(dataDir), first);
    Deno.chmodSync(`${dataDir}/token`, 0o644);
    assert.equal(loadToken(dataDir), first);
    assert.equal(Deno.statSync(`${dataDir}/token`).mode! & 0o777, 0o600, "tightened again");
    Deno.writeTextFileSync(`${dataDir}/token`, "short\n");
    const replaced = loadToken(dataDir);
    assert.notEqual(replaced, first);
    assert.match(replaced, /^[0-9a-f]{48}$/);
    assert.notEqual(loadToken(":memory:"), loadToken(":memory:"));
    assert.deepEqual([...Deno.readDirSync(dataDir)].map((e) => e.name), ["token"], "no temp file");
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

processTest("on a real server the event stream and the WebSocket need the token too", async () => {
  const { server, dataDir } = await startTestServer({ token: true });
  try {
    const token = server.runtime.token!;
    const events = await fetch(`${server.url}/events`);
    assert.equal(events.status, 401);
    await events.body?.cancel();
    const refused = new WebSocket(`ws://localhost:${server.port}/ws`);
    const closed = await new Promise<string>((resolve) => {
      refused.onopen = () => resolve("open");
      refused.onerror = () => resolve("refused");
    });
    assert.equal(closed, "refused");
    const withToken = await fetch(`${server.url}/events`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(withToken.status, 200);
    await withToken.body?.cancel();
    const socket = openWebSocket(`ws://localhost:${server.port}/ws`, {
      authorization: `Bearer ${token}`,
    });
    const opened = await new Promise<string>((resolve) => {
      socket.onopen = () => resolve("open");
      socket.onerror = () => resolve("refused");
    });
    assert.equal(opened, "open");
    socket.close();
  } finally {
    await server.shutdown();
    await Deno.remove(dataDir, { recursive: true });
  }
});

processTest(
  "a plain start requires the token and prints the URL that logs a browser in",
  async () => {
    const dir = await Deno.makeTempDir({ prefix: "cardflow-token-start-" });
    try {
      const app = await spawnCardflow({ args: ["--data-dir", dir], token: true });
      try {
        const token = Deno.readTextFileSync(`${dir}/token`).trim();
        assert.equal(app.loginUrl, `${app.url}/?token=${token}`);
        const refused = await fetch(app.url + "/");
        assert.equal(refused.status, 401);
        await refused.body?.cancel();
        const login = await fetch(app.loginUrl, { redirect: "manual" });
        assert.equal(login.status, 303);
        await login.body?.cancel();
        const cookie = login.headers.get("set-cookie")!.split(";")[0]!;
        const page = await fetch(app.url + "/tasks", { headers: { cookie } });
        assert.equal(page.status, 200);
        await page.body?.cancel();
        assert.doesNotMatch(Deno.readTextFileSync(`${dir}/logs/cardflow.log`), new RegExp(token));
      } finally {
        await app.stop();
      }
      const exposed = await runCardflow({
        args: ["--host", "0.0.0.0", "--no-token", "--port", "0"],
      });
      assert.equal(exposed.code, 2, exposed.output);
      assert.match(exposed.output, /the access token cannot be turned off with --host 0\.0\.0\.0/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);

const executablePath = browserPath();
processTest(
  executablePath
    ? "a browser without the cookie sees the token page, and the printed URL logs it in for every tab"
    : "a browser without the cookie sees the token page (skipped: no Chromium)",
  async () => {
    const { server, dataDir } = await startTestServer({ token: true });
    const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
    try {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(server.url + "/tasks");
      await page.getByText("Cardflow needs its access token").waitFor();
      await page.goto(server.loginUrl);
      assert.equal(page.url(), server.url + "/");
      const tab = await context.newPage();
      await tab.goto(server.url + "/tasks");
      await tab.locator("#tasks-add input[name=name]").fill("from a logged-in tab");
      await tab.keyboard.press("Enter");
      await tab.locator("#tasks-list li.row .title", { hasText: "from a logged-in tab" }).waitFor();
      const cookies = await context.cookies();
      assert.equal(cookies.length, 1);
      assert.equal(cookies[0]!.httpOnly, true);
      assert.equal(cookies[0]!.sameSite, "Strict");
    } finally {
      await browser.close();
      await server.shutdown();
      await Deno.remove(dataDir, { recursive: true });
    }
  },
  !executablePath,
);
