/**
 * Who talks on a chat socket: a page of another database or profile is
 * answered alone, a switch, a reset or a restore closes every socket with its
 * own reason, and a socket from another origin is refused.
 */
import assert from "node:assert/strict";
import { CLOSE_REASONS } from "@/chat/hub_api.ts";
import type { Retirement } from "@/services/mod.ts";
import { chatRows, chatSetup, chatTest, isError, postForm } from "./helpers/chat.ts";
import { connect } from "./helpers/ws_client.ts";

chatTest(
  "a message from a page of another database or profile is answered on that page alone and goes nowhere",
  async () => {
    const s = await chatSetup();
    const stale = await connect(s.wsUrl, { context: () => "production.gone.1" });
    try {
      const before = chatRows(s).length;
      stale.send({ message: "Delete everything" });
      const refused = await stale.waitFor(isError);
      assert.match(
        refused.content,
        /shows the Production database, but Cardflow now uses Development/,
      );
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(chatRows(s).length, before, "nothing was stored");
      assert.equal(s.fake.requests.length, 0, "the model was not asked");
      assert.equal(s.ws.frames.length, 0, "other pages heard nothing");
    } finally {
      await stale.close();
      await s.done();
    }
  },
);

chatTest(
  "a switch, a reset and a restore each close every chat socket with its own reason",
  async () => {
    const s = await chatSetup();
    const databases = () => s.server.runtime.deps().databases;
    const { backupDir } = databases();
    const backup = await databases().backup();
    const changes: [Retirement, () => Promise<unknown>][] = [
      ["switch", () => postForm(s, "/environment", { to: "production" })],
      ["switch", () => postForm(s, "/environment", { to: "development" })],
      ["reset", () => postForm(s, "/environment/reset", {})],
      ["restore", () => databases().restore(`${backupDir}/${backup.name}`, { allowEmpty: true })],
    ];
    try {
      for (const [why, change] of changes) {
        const socket = new WebSocket(s.wsUrl);
        const closed = new Promise<{ code: number; reason: string }>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`${why}: the socket stayed open`)), 5000);
          socket.onclose = (e) => {
            clearTimeout(timer);
            resolve({ code: e.code, reason: e.reason });
          };
        });
        await new Promise((resolve) => socket.onopen = resolve);
        // The whole change, so the next socket opens on the database it leaves in use.
        await change();
        assert.deepEqual(await closed, { code: 1012, reason: CLOSE_REASONS[why] }, why);
      }
      // A socket that joins a hub whose database already went away is told at once.
      const retired = s.server.runtime.chat();
      await postForm(s, "/environment", { to: "production" });
      const told: [number, string][] = [];
      retired.join({ send() {}, close: (code, reason) => told.push([code, reason]) });
      assert.deepEqual(told, [[1012, CLOSE_REASONS.switch]]);
      assert.match(CLOSE_REASONS.restore, /restore a backup/);
      assert.equal(new Set(Object.values(CLOSE_REASONS)).size, 4, "each reason is its own");
    } finally {
      await s.done();
    }
  },
);

chatTest("a WebSocket from another origin is refused", async () => {
  const s = await chatSetup();
  try {
    await assert.rejects(
      () => connect(s.wsUrl, { origin: "http://evil.example" }),
      /could not connect/,
    );
    const ok = await connect(s.wsUrl, { origin: `http://127.0.0.1:${s.server.port}` });
    await ok.close();
  } finally {
    await s.done();
  }
});
