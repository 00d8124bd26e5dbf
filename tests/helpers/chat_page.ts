/**
 * @module
 * Browser tests of the chat panel: a browser test on a server whose model is
 * a fake Ollama, started for the test and closed after it, and a question
 * sent from the panel as a person sends it.
 */

import type { Page } from "playwright-core";
import { type BrowserContext, browserTest } from "./browser.ts";
import { type FakeOllama, startFakeOllama } from "./fake_ollama.ts";

/** What a chat browser test receives: a browser test's context and the fake Ollama. */
export interface ChatPageContext extends BrowserContext {
  fake: FakeOllama;
}

/** Register a browser test whose server talks to its own fake Ollama (a stall allowed 10 s). */
export function chatBrowserTest(name: string, fn: (ctx: ChatPageContext) => Promise<void>): void {
  let fake: FakeOllama | undefined;
  browserTest(
    name,
    async function withFake(ctx) {
      try {
        await fn({ ...ctx, fake: fake! });
      } finally {
        await fake?.close();
      }
    },
    {
      config: async () => {
        fake = await startFakeOllama();
        return { ollamaHost: fake.url, llmStallMs: 10_000 };
      },
    },
  );
}

/** Send `text` from a page's chat panel. */
export async function ask(page: Page, text: string): Promise<void> {
  await page.locator("#chat-form textarea").fill(text);
  await page.locator("#chat-form textarea").press("Enter");
}
