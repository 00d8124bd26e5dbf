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
import type { FakeOllama } from "./helpers/fake_ollama.ts";
import { ask, chatBrowserTest, type ChatPageContext } from "./helpers/chat_page.ts";

/** Ask from `page` and wait until the fake's `answer` shows there. */
async function askAndHear(
  fake: FakeOllama,
  page: Page,
  exchange: { text: string; answer: string },
): Promise<void> {
  fake.replies.push({ tokens: [exchange.answer] });
  await ask(page, exchange.text);
  await page.locator("#chat-log .msg-assistant", { hasText: exchange.answer }).waitFor();
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

/** A change another tab makes, and what the old tab must then show. */
interface Change {
  /** The question the old tab asks first, and the fake's answer to it. */
  before: { text: string; answer: string };
  /** Make the change in the other tab. */
  make(other: Page): Promise<void>;
  note: string;
  refusal: RegExp;
}

/**
 * Ask in the old tab, make `change` in a new one, then check what follows in
 * the old tab: its note, its socket on the new database's hub, its stale
 * question refused, and after a reload an answer stored in the new database.
 * The page errors the old tab had.
 */
async function oldTabFollows(ctx: ChatPageContext, change: Change): Promise<string[]> {
  const { page, url, newPage, server, fake } = ctx;
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(url + "/tasks");
  await page.locator("#chat-status .light.up").waitFor();
  await askAndHear(fake, page, change.before);
  await watchReconnect(page);

  const other = await newPage();
  await change.make(other);

  await page.locator("#chat-log .chat-closed", { hasText: change.note }).waitFor({
    timeout: 5000,
  });
  // Reconnected (htmx waits about half a second) to the new database's hub: an answer given
  // there reaches the old tab too.
  await page.waitForFunction("window.__reconnected === true", undefined, { timeout: 5000 });
  await askAndHear(fake, other, { text: "Asked in the fresh tab", answer: "Heard by every tab" });
  await page.locator("#chat-log .msg-assistant", { hasText: "Heard by every tab" }).waitFor({
    timeout: 5000,
  });
  // The old tab's own question: refused on that page alone, never stored or sent to the model.
  const asked = fake.requests.length;
  await ask(page, "Typed in the stale tab");
  await page.locator("#chat-log .msg-error", { hasText: change.refusal }).waitFor();
  assert.equal(stored(server, "Typed in the stale tab"), 0);
  assert.equal(fake.requests.length, asked, "the model was not asked");
  // Reloaded, the same tab chats with the new database.
  await page.locator("#stale").getByRole("button", { name: "Reload" }).click();
  await page.locator("#chat-log .chat-closed").waitFor({ state: "detached" });
  await askAndHear(fake, page, {
    text: "Asked after the reload",
    answer: "Answered from the new database",
  });
  assert.equal(stored(server, "Asked after the reload"), 1);
  return errors;
}

chatBrowserTest(
  "two tabs: after a restore the old tab's chat says why it stopped and reconnects to the restored database",
  async (ctx) => {
    const errors = await oldTabFollows(ctx, {
      before: { text: "Asked before the restore", answer: "Answered before the restore" },
      async make(other) {
        await other.goto(ctx.url + "/backups");
        await other.getByRole("button", { name: /Back up the development database now/ }).click();
        await other.locator("#backups .notice", { hasText: "Saved" }).waitFor();
        await other.getByRole("button", { name: "Restore" }).first().click();
        await other.locator("#backups .notice", { hasText: "Restored" }).waitFor();
      },
      note: CLOSE_REASONS.restore,
      refusal: /reset or restored since this page was opened/,
    });
    assert.deepEqual(errors, []);
  },
);

chatBrowserTest(
  "two tabs: after an environment switch the old tab's chat says why it stopped and reconnects to the other database",
  async (ctx) => {
    const errors = await oldTabFollows(ctx, {
      before: { text: "Asked in development", answer: "Answered in development" },
      async make(other) {
        await other.goto(ctx.url + "/tasks");
        await other.getByRole("button", { name: "Switch to production" }).click();
        await other.locator("#environment .badge", { hasText: "Production" }).waitFor();
      },
      note: CLOSE_REASONS.switch,
      refusal: /shows the Development database, but Cardflow now uses Production/,
    });
    assert.equal(ctx.server.runtime.deps().databases.current, "production");
    assert.equal(stored(ctx.server, "Asked in development"), 0, "development's chat stayed there");
    assert.deepEqual(errors, []);
  },
);
