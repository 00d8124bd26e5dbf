import assert from "node:assert/strict";
import { browserTest } from "./helpers/browser.ts";
import { type FakeOllama, startFakeOllama } from "./helpers/fake_ollama.ts";

const PAYLOAD =
  `<img src=x onerror="alert('img');window.__xss=1"><script>alert('script');window.__xss=2</script><svg onload="window.__xss=3">`;
let fake: FakeOllama;

browserTest(
  "XSS payloads in workflow values, keys, task and profile names, chat and LLM output are shown as text and never run",
  async ({ page, url, dialogs }) => {
    try {
      const ran = () => page.evaluate(() => (globalThis as Record<string, unknown>).__xss ?? null);

      await page.goto(url + "/hello");
      await page.locator('input[name="key"]').fill(`x"><img src=x onerror=alert(1)>`);
      await page.locator("button", { hasText: "Start or resume" }).click();
      // The browser refuses the key before sending it (the server refuses it too: see workflow_http_test).
      assert.equal(await page.locator('input[name="key"]:invalid').count(), 1);
      await page.locator('input[name="key"]').fill("xss");
      await page.locator("button", { hasText: "Start or resume" }).click();
      await page.locator("#step-step_01 input[name=name]").fill(PAYLOAD);
      await page.locator("#step-step_01 button[type=submit]").click();
      await page.locator("#step-step_02 button[type=submit]").click();
      await page.locator("#step-finish").waitFor();
      assert.match(
        await page.locator("#step-step_01 .value").textContent() ?? "",
        /<img src=x onerror=/,
      );

      await page.goto(url + "/tasks");
      await page.locator("#tasks-add input[name=name]").fill(PAYLOAD.slice(0, 200));
      await page.keyboard.press("Enter");
      await page.locator("#tasks-list li.row").first().waitFor();
      await page.locator("#tasks-list li.row .title").first().click();
      await page.locator("#tasks-list li.editing input[name=name]").press("Enter");

      await page.goto(url + "/profiles");
      await page.locator("#profiles-add input[name=name]").fill(PAYLOAD.slice(0, 80));
      await page.keyboard.press("Enter");
      await page.locator("#profiles-list li.row", { hasText: "<img" }).getByRole("button", {
        name: "Use",
      }).click();
      await page.locator("#profile-menu strong", { hasText: "<img" }).waitFor();

      fake.replies.push({
        tokens: [
          "Sure: ",
          PAYLOAD,
          "\n\n[click me](javascript:window.__xss=4) and [data](data:text/html,<script>x</script>)",
          ' and ![pixel](https://evil.example/track.png) and <a href="javascript:window.__xss=5">raw</a>',
          "\n\n```\n",
          PAYLOAD,
          "\n```",
        ],
      });
      await page.locator("#chat-form textarea").fill(PAYLOAD);
      await page.locator("#chat-form textarea").press("Enter");
      await page.locator(".msg-assistant pre").waitFor();
      const hrefs = await page.locator("#chat-log a").evaluateAll((links) =>
        links.map((a) => a.getAttribute("href") ?? "")
      );
      assert.ok(hrefs.length >= 3, "the model's links are shown as links");
      for (const href of hrefs) assert.doesNotMatch(href, /^(javascript|data):/i, href);
      assert.equal(await page.locator("#chat-log img").count(), 0, "no image loads from the model");
      await page.locator("#chat-log a", { hasText: "click me" }).click();
      await page.goto(url + "/history");
      await page.goto(url + "/chat");
      await page.locator("#conversation").waitFor();
      await page.goto(url + "/");
      await page.locator("#chat-log .msg-user").first().waitFor();
      await page.waitForTimeout(300);
      assert.equal(await ran(), null, "no injected script ran");
      assert.deepEqual(dialogs, [], "no dialog opened");
      assert.equal(
        await page.locator("#main img, #chat-log img, #profile-menu img, #chat-log svg").count(),
        0,
      );
    } finally {
      await fake.close();
    }
  },
  {
    config: async () => {
      fake = await startFakeOllama();
      return { ollamaHost: fake.url };
    },
  },
);
