import assert from "node:assert/strict";
import { ask, chatBrowserTest } from "./helpers/chat_page.ts";
import type { FakeOllama } from "./helpers/fake_ollama.ts";
import { useNewProfile } from "./helpers/page_steps.ts";
import { screenshot } from "./helpers/screens.ts";

chatBrowserTest(
  "the chat people expect: Markdown answers, copy, edit and send again, regenerate, delete, export, and a conversation per profile",
  async ({ page, url, dialogs, fake }) => {
    await page.context().grantPermissions(["clipboard-read", "clipboard-write"], {
      origin: url,
    });
    await page.goto(url + "/");
    await page.locator("#chat-log .chat-empty").waitFor();
    assert.match(await page.locator("#chat-log .chat-empty").innerText(), /Start a hello run/);
    // The default model, listed by Ollama with its tag: a green light and one menu entry.
    await page.locator("#chat-status .light.up").waitFor();
    assert.equal(await page.locator("#chat-status select option").count(), 1);
    assert.match(
      await page.locator("#chat-status select option").innerText(),
      /llama3\.2:latest · 3\.2B llama · 2\.0 GB/,
    );

    fake.replies.push({
      tokens: [
        "Here is **bold**, a [link](https://example.com) and a table:\n\n",
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n",
        "```typescript\nconst answer = 42;\n```\n",
      ],
      delayMs: 50,
    });
    await ask(page, "Show me Markdown");
    const answer = page.locator(".msg-assistant").last();
    await answer.locator("strong", { hasText: "bold" }).waitFor();
    assert.equal(await answer.locator("a").getAttribute("rel"), "noopener noreferrer");
    assert.equal(await answer.locator("td").count(), 2);
    await answer.locator("code .hljs-keyword", { hasText: "const" }).waitFor();
    await answer.locator(".code-block button", { hasText: "Copy" }).click();
    await answer.locator(".code-block button", { hasText: "Copied" }).waitFor();
    assert.equal(
      await page.evaluate(() => navigator.clipboard.readText()),
      "const answer = 42;",
    );
    await answer.locator(".msg-actions button", { hasText: "Copy" }).click();
    assert.match(
      await page.evaluate(() => navigator.clipboard.readText()),
      /^Here is \*\*bold\*\*/,
    );
    await screenshot(page, "chat-markdown", { chat: true });

    // Edit the question and send it again: the answer after it is replaced.
    fake.replies.push({ tokens: ["Answer to the edited question."] });
    await page.locator(".msg-user").last().getByRole("button", { name: "Edit and send again" })
      .click();
    const editor = page.locator(".msg-user.editing textarea");
    await editor.fill("Show me plain text");
    await page.locator(".msg-user.editing button", { hasText: "Send again" }).click();
    await page.locator(".msg-assistant", { hasText: "Answer to the edited question." }).waitFor();
    assert.equal(await page.locator(".msg-assistant", { hasText: "bold" }).count(), 0);
    assert.equal(await page.locator(".msg-user", { hasText: "Show me plain text" }).count(), 1);

    // Regenerate the last answer.
    fake.replies.push({ tokens: ["A second try."] });
    await page.locator(".msg-assistant").last().getByRole("button", { name: "Answer again" })
      .click();
    await page.locator(".msg-assistant", { hasText: "A second try." }).waitFor();
    assert.equal(await page.locator(".msg-assistant", { hasText: "edited question" }).count(), 0);

    // Delete a message.
    await page.locator(".msg-assistant").last().getByRole("button", {
      name: "Delete this message",
    })
      .click();
    await page.locator(".msg-assistant", { hasText: "A second try." }).waitFor({
      state: "detached",
    });

    // Export.
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.locator(".chat-menu summary").click().then(() =>
        page.locator(".chat-menu a", { hasText: "Export as Markdown" }).click()
      ),
    ]);
    const exported = await Deno.readTextFile(await download.path());
    assert.match(exported, /Show me plain text/);

    // Another profile, another conversation.
    await useNewProfile(page, { url, name: "Acme" });
    await page.locator("#chat-log .chat-empty").waitFor();
    assert.equal(await page.locator(".msg-user", { hasText: "plain text" }).count(), 0);
    assert.deepEqual(dialogs, []);
  },
);

chatBrowserTest(
  "each fault shows its own message, the partial answer stays, and the next message works",
  async ({ page, url, fake }) => {
    await page.goto(url + "/");
    await page.locator("#chat-status .light.up").waitFor();
    const cases: [Parameters<FakeOllama["replies"]["push"]>[0], RegExp][] = [
      [
        { tokens: ["Partial"], fault: "error-midstream", errorText: "CUDA out of memory" },
        /Ollama reported an error: CUDA out of memory/,
      ],
      [{ tokens: ["Half"], fault: "malformed" }, /may be incomplete/],
    ];
    for (const [reply, message] of cases) {
      fake.replies.push(reply);
      await ask(page, "go");
      await page.locator(".msg-error", { hasText: message }).waitFor();
      assert.match(
        await page.locator(".msg-assistant").last().innerText(),
        new RegExp(String(reply.tokens![0])),
        "the partial answer stays",
      );
    }
    // A model without tools: it answers without them, and the panel says so.
    fake.models.push({ name: "plain:latest", tools: false });
    await page.locator("#chat-status select").selectOption("plain:latest");
    await page.waitForFunction(async () =>
      /plain:latest" selected/.test(await (await fetch("/chat/status")).text())
    );
    fake.replies.push({ tokens: ["Just talking."] });
    await ask(page, "add a task");
    await page.locator(".msg-note", { hasText: "cannot use tools" }).waitFor();
    await page.locator(".msg-assistant", { hasText: "Just talking." }).waitFor();
    await page.locator("#chat-status select").selectOption("llama3.2:latest");
    await page.waitForFunction(async () =>
      /llama3\.2:latest" selected/.test(await (await fetch("/chat/status")).text())
    );
    // A tool loop that never ends stops at its bound.
    for (let i = 0; i < 6; i++) {
      fake.replies.push({
        toolCalls: [{ name: "crud", arguments: { app: "tasks", action: "list" } }],
      });
    }
    await ask(page, "loop");
    await page.locator(".msg-error", { hasText: "stopped after 6 rounds" }).waitFor();
    fake.replies.push({ tokens: ["Working again."] });
    await ask(page, "still there?");
    await page.locator(".msg-assistant", { hasText: "Working again." }).waitFor();
    await screenshot(page, "chat-faults", { chat: true });
  },
);

chatBrowserTest(
  "assistant tool calls show as entries; a finalize waits for Apply; one Undo takes back a whole answer",
  async ({ page, url, server, fake }) => {
    await page.goto(url + "/hello");
    await page.locator("#chat-status .light.up").waitFor();
    fake.replies.push(
      {
        toolCalls: [{
          name: "workflow",
          arguments: { workflow: "hello", action: "start", key: "ada" },
        }],
      },
      {
        toolCalls: [
          {
            name: "workflow",
            arguments: {
              workflow: "hello",
              action: "submit",
              key: "ada",
              step: "step_01",
              version: 1,
              values: { name: "Ada" },
            },
          },
          {
            name: "workflow",
            arguments: {
              workflow: "hello",
              action: "submit",
              key: "ada",
              step: "step_02",
              version: 2,
              values: { greeting: "Hello, Ada!" },
            },
          },
          { name: "workflow", arguments: { workflow: "hello", action: "finalize", key: "ada" } },
        ],
      },
      { tokens: ["Done: the run **ada** is filled in. Click Apply to finalize it."] },
    );
    await ask(page, "Start a hello run for Ada and finish it");
    await page.locator(".msg-assistant", { hasText: "Click Apply" }).waitFor();
    const entries = page.locator(".msg-operation");
    assert.equal(await entries.count(), 4, "three tool entries and the answer's summary");
    await entries.first().locator("summary").click();
    assert.match(await entries.first().innerText(), /Came back/);
    const run = () => server.runtime.services().workflows.find("hello")!.load("ada");
    assert.equal(run().state.finalized, false);
    await page.locator(".msg-proposal button", { hasText: "Apply" }).click();
    await page.locator(".msg-proposal", { hasText: "Applied." }).waitFor();
    assert.equal(run().state.finalized, true);
    await screenshot(page, "chat-tools", { chat: true });
  },
);
