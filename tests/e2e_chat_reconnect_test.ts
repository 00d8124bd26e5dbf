/**
 * Two tabs and the chat: when another tab restores a backup or switches the
 * environment, the old tab's chat says why it stopped, reconnects to the
 * database Cardflow now uses (it hears that database's answers), refuses to
 * send its own stale question anywhere, and once reloaded chats with the new
 * database: the fake Ollama answers and the question is stored there.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { CLOSE_REASONS } from "@/chat/hub_api.ts";
import type { Server } from "@/app/server.ts";
import { browserTest } from "./helpers/browser.ts";
import { type FakeOllama, startFakeOllama } from "./helpers/fake_ollama.ts";

let fake: FakeOllama;
const withFake = async () => {
  fake = await startFakeOllama();
  return { ollamaHost: fake.url, llmStallMs: 10_000 };
};

/** Send `text` from a page's chat panel. */
async function ask(page: Page, text: string): Promise<void> {
  await page.locator("#chat-form textarea").fill(text);
  await page.locator("#chat-form textarea").press("Enter");
}

/** Ask from `page` and wait until the fake's `answer` shows there. */
async function askAndHear(page: Page, text: string, answer: string): Promise<void> {
  fake.replies.push({ tokens: [answer] });
  await ask(page, text);
  await page.locator("#chat-log .msg-assistant", { hasText: answer }).waitFor();
}

/** How many times the person's `text` is stored in the database Cardflow uses now. */
function stored(server: Server, text: string): number {
  return Number(
    (server.runtime.db().prepare(
      "SELECT COUNT(*) AS n FROM chat WHERE role = 'user' AND content = ?",
    ).get(text) as { n: number }).n,
  );
}

/** Note on `page` when its chat socket next connects (call once it is connected). */
async function watchReconnect(page: Page): Promise<void> {
  await page.evaluate(`document.addEventListener("htmx:ws:after:connection", () => {
    window.__reconnected = true;
  }, { once: true })`);
}

/**
 * What follows a change made in `other`: the old tab's note, its socket on
 * the new database's hub, its stale question refused, and after a reload an
 * answer stored in the new database.
 */
async function oldTabFollows(
  page: Page,
  other: Page,
  server: Server,
  expected: { note: string; refusal: RegExp },
): Promise<void> {
  await page.locator("#chat-log .chat-closed", { hasText: expected.note }).waitFor({
    timeout: 5000,
  });
  // Reconnected (htmx waits about half a second) to the new database's hub: an answer given
  // there reaches the old tab too.
  await page.waitForFunction("window.__reconnected === true", undefined, { timeout: 5000 });
  await askAndHear(other, "Asked in the fresh tab", "Heard by every tab");
  await page.locator("#chat-log .msg-assistant", { hasText: "Heard by every tab" }).waitFor({
    timeout: 5000,
  });
  // The old tab's own question: refused on that page alone, never stored or sent to the model.
  const asked = fake.requests.length;
  await ask(page, "Typed in the stale tab");
  await page.locator("#chat-log .msg-error", { hasText: expected.refusal }).waitFor();
  assert.equal(stored(server, "Typed in the stale tab"), 0);
  assert.equal(fake.requests.length, asked, "the model was not asked");
  // Reloaded, the same tab chats with the new database.
  await page.locator("#stale").getByRole("button", { name: "Reload" }).click();
  await page.locator("#chat-log .chat-closed").waitFor({ state: "detached" });
  await askAndHear(page, "Asked after the reload", "Answered from the new database");
  assert.equal(stored(server, "Asked after the reload"), 1);
}

browserTest(
  "two tabs: after a restore the old tab's chat says why it stopped and reconnects to the restored database",
  async ({ page, url, newPage, server }) => {
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    try {
      await page.goto(url + "/tasks");
      await page.locator("#chat-status .light.up").waitFor();
      await askAndHear(page, "Asked before the restore", "Answered before the restore");
      await watchReconnect(page);

      const other = await newPage();
      await other.goto(url + "/backups");
      await other.getByRole("button", { name: /Back up the development database now/ }).click();
      await other.locator("#backups .notice", { hasText: "Saved" }).waitFor();
      await other.getByRole("button", { name: "Restore" }).first().click();
      await other.locator("#backups .notice", { hasText: "Restored" }).waitFor();

      await oldTabFollows(page, other, server, {
        note: CLOSE_REASONS.restore,
        refusal: /reset or restored since this page was opened/,
      });
      assert.deepEqual(errors, []);
    } finally {
      await fake.close();
    }
  },
  { config: withFake },
);

browserTest(
  "two tabs: after an environment switch the old tab's chat says why it stopped and reconnects to the other database",
  async ({ page, url, newPage, server }) => {
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    try {
      await page.goto(url + "/tasks");
      await page.locator("#chat-status .light.up").waitFor();
      await askAndHear(page, "Asked in development", "Answered in development");
      await watchReconnect(page);

      const other = await newPage();
      await other.goto(url + "/tasks");
      await other.getByRole("button", { name: "Switch to production" }).click();
      await other.locator("#environment .badge", { hasText: "Production" }).waitFor();

      await oldTabFollows(page, other, server, {
        note: CLOSE_REASONS.switch,
        refusal: /shows the Development database, but Cardflow now uses Production/,
      });
      assert.equal(server.runtime.deps().databases.current, "production");
      assert.equal(stored(server, "Asked in development"), 0, "development's chat stayed there");
      assert.deepEqual(errors, []);
    } finally {
      await fake.close();
    }
  },
  { config: withFake },
);
