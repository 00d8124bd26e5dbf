import assert from "node:assert/strict";
import { browserTest } from "./helpers/browser.ts";

browserTest(
  "a person walks Hello from key to finalize, reverts a step, and resumes by key after a reload",
  async ({ page, url }) => {
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(url + "/hello");
    const key = await page.locator('input[name="key"]').inputValue();
    assert.match(key, /^default-hello-01$/);
    await page.locator("button", { hasText: "Start or resume" }).click();
    await page.locator("#step-step_01 input[name=name]").fill("Ada <b>Lovelace</b>");
    await page.locator("#step-step_01 button[type=submit]").click();
    // The greeting is suggested from the name and submitted as is.
    const greeting = page.locator("#step-step_02 input[name=greeting]");
    await greeting.waitFor();
    assert.equal(await greeting.inputValue(), "Hello, Ada <b>Lovelace</b>!");
    await page.locator("#step-step_02 button[type=submit]").click();
    await page.locator("#step-finish button", { hasText: "Finalize" }).click();
    await page.locator("#step-finish h2", { hasText: "Finalized" }).waitFor();
    assert.equal(
      await page.locator("#step-step_01 button", { hasText: "Revert" }).count(),
      0,
      "a finalized run has no revert",
    );
    await page.locator("#step-finish button", { hasText: "Unfinalize" }).click();
    await page.locator("#step-finish h2", { hasText: "All steps are done" }).waitFor();

    // Revert the middle step: its form comes back pre-filled, and nothing is cleared yet.
    await page.locator("#step-step_01 button", { hasText: "Revert" }).click();
    const name = page.locator("#step-step_01 input[name=name]");
    await name.waitFor();
    assert.equal(await name.inputValue(), "Ada <b>Lovelace</b>");
    assert.match(page.url(), /\?edit=step_01$/);
    await name.fill("Grace");
    await page.locator("#step-step_01 button[type=submit]").click();
    await page.locator("#step-step_02 input[name=greeting]").waitFor();
    assert.equal(
      await page.locator("#step-step_02 input[name=greeting]").inputValue(),
      "Hello, Grace!",
      "submit cleared the old greeting",
    );

    // Reload and resume by key from the landing card.
    await page.goto(url + "/hello");
    await page.locator('input[name="key"]').fill(key);
    await page.locator("button", { hasText: "Start or resume" }).click();
    await page.locator("#step-step_01 .value", { hasText: "Grace" }).waitFor();
    // The run resumes at the greeting (its placeholder loads after the first card: wait for it).
    await page.locator("#step-step_02 input[name=greeting]").waitFor();
    assert.equal(await page.locator("b").count(), 0, "HTML in a value is shown as text");
    assert.deepEqual(errors, []);
  },
);

browserTest(
  "two pages on one run: the stale submit is refused with a message",
  async ({ page, url, newPage }) => {
    await page.goto(url + "/hello");
    await page.locator('input[name="key"]').fill("two-tabs");
    await page.locator("button", { hasText: "Start or resume" }).click();
    await page.locator("#step-step_01 input[name=name]").waitFor();
    const other = await newPage();
    await other.goto(url + "/hello/run/two-tabs");
    await other.locator("#step-step_01 input[name=name]").fill("From tab two");
    await other.locator("#step-step_01 button[type=submit]").click();
    await other.locator("#step-step_02 input[name=greeting]").waitFor();

    await page.locator("#step-step_01 input[name=name]").fill("From tab one");
    await page.locator("#step-step_01 button[type=submit]").click();
    const flash = page.locator("#flash .notice.error");
    await flash.waitFor();
    assert.match(await flash.textContent() ?? "", /changed in another tab/);
    await page.reload();
    await page.locator("#step-step_01 .value", { hasText: "From tab two" }).waitFor();
  },
);
