import assert from "node:assert/strict";
import { ask, chatBrowserTest } from "./helpers/chat_page.ts";

chatBrowserTest(
  "a person chats: tokens stream in, an answer can be stopped, and asking for a task adds it to the open Tasks list",
  async ({ page, url, dialogs, fake }) => {
    await page.goto(url + "/tasks");
    await page.locator("#chat-status .light.up").waitFor();
    // Record every text the answer shows as it grows, to see the tokens arrive one by one.
    await page.evaluate(`(() => {
      window.__seen = [];
      new MutationObserver(() => {
        const body = document.querySelector("#chat-log .msg-assistant:last-of-type .body");
        if (body) window.__seen.push(body.textContent);
      }).observe(document.getElementById("chat-log"), { childList: true, subtree: true, characterData: true });
    })()`);
    fake.replies.push({ tokens: ["Hello", " from", " the", " <b>model</b>"], delayMs: 150 });
    await ask(page, "Hi there");
    await page.locator(".msg-user", { hasText: "Hi there" }).waitFor();
    await page.locator(".msg-assistant p", { hasText: "Hello from the <b>model</b>" }).waitFor();
    const seen = await page.evaluate("window.__seen") as string[];
    assert.ok(
      seen.includes("Hello from"),
      `partial answers were shown as tokens arrived: ${JSON.stringify(seen)}`,
    );
    assert.equal(await page.locator("#chat-log b").count(), 0, "model HTML is shown as text");
    assert.equal(
      await page.locator("#chat-form textarea").inputValue(),
      "",
      "the box empties once sent",
    );

    fake.replies.push({
      tokens: ["one", " two", " three", " four", " five", " six", " seven"],
      delayMs: 300,
    });
    await page.locator("#chat-form textarea").fill("Count slowly");
    await page.locator("#chat-form button[type=submit]").click();
    await page.locator(".msg-assistant .body", { hasText: "one two" }).waitFor();
    await page.locator("#chat-stop").click();
    await page.locator(".msg-error", { hasText: "Stopped" }).waitFor();
    assert.doesNotMatch(await page.locator(".msg-assistant").last().textContent() ?? "", /seven/);

    fake.replies.push({
      tokens: ["Adding it."],
      toolCalls: [{
        name: "crud",
        arguments: { app: "tasks", action: "insert", values: { name: "Buy milk" } },
      }],
    });
    await ask(page, "add a task to buy milk");
    await page.locator(".msg-operation", { hasText: "Added tasks" }).waitFor();
    await page.locator("#tasks-list li.row .title", { hasText: "Buy milk" }).waitFor({
      timeout: 5000,
    });
    await page.locator(".msg-operation button", { hasText: "Undo" }).click();
    await page.locator("#tasks-list li.row", { hasText: "Buy milk" }).waitFor({
      state: "detached",
      timeout: 5000,
    });
    // Commentary is switched on from the panel.
    await page.locator('#chat-status input[name="on"]').check();
    await page.waitForFunction(async () =>
      /name="on" checked/.test(await (await fetch("/chat/status")).text())
    );
    assert.deepEqual(dialogs, []);
  },
);
