/**
 * A person fills a step with a field of every new kind in a real browser:
 * each refused field shows its message beside it (and is described by it),
 * the choices work from the keyboard, the slider shows its value, and the
 * completed card shows each value once.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { browserTest } from "./helpers/browser.ts";
import { screenshot } from "./helpers/screens.ts";
import { FORMKIT, withPlugins } from "./helpers/workflows.ts";

browserTest(
  "a step with several fields of every new kind: messages per field, keyboard choices, a live slider, a tidy card",
  async ({ page, url }) => {
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(url + "/formkit");
    await page.locator('input[name="key"]').fill("kinds");
    await page.locator("button", { hasText: "Start or resume" }).click();
    const step = page.locator("#step-all");
    await step.locator("input[name=site]").fill("not a url");
    await step.locator("input[name=mail]").fill("nobody");
    await step.locator("button[type=submit]").click();
    await step.locator("#error-all-site", { hasText: "must be a web address" }).waitFor();
    const messages = {
      mail: /must be an email address/,
      size: /choose one of the listed options|Size is required/,
      fruit: /Fruit is required/,
      docs: /choose at least one file/,
      agree: /must be ticked/,
    };
    for (const [name, message] of Object.entries(messages)) {
      assert.match(await step.locator(`#error-all-${name}`).textContent() ?? "", message, name);
    }
    assert.equal(
      await step.locator("input[name=mail]").getAttribute("aria-invalid"),
      "true",
    );
    assert.match(
      await step.locator("input[name=mail]").getAttribute("aria-describedby") ?? "",
      /error-all-mail/,
    );
    await screenshot(page, "fields-errors");

    // Keyboard: arrows move between radios, Space ticks a checkbox, arrows move the slider.
    await step.locator("input[name=size]").first().focus();
    await page.keyboard.press("Space");
    await page.keyboard.press("ArrowDown");
    assert.equal(await step.locator("input[name=size]:checked").getAttribute("value"), "m");
    await step.locator("input[name=tags][value=green]").focus();
    await page.keyboard.press("Space");
    await step.locator("input[name=level]").focus();
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("ArrowRight");
    assert.equal(await step.locator("output").textContent(), "7");
    await step.locator("select[name=fruit]").selectOption("cherry");
    await step.locator("input[name=site]").fill("https://example.com/");
    await step.locator("input[name=mail]").fill("ada@example.com");
    await step.locator("input[name=docs]").setInputFiles([
      { name: "a.txt", mimeType: "text/plain", buffer: Buffer.from("first") },
      { name: "b.txt", mimeType: "text/plain", buffer: Buffer.from("second") },
    ]);
    await step.locator("input[name=agree]").check();
    await step.locator("button[type=submit]").click();
    const card = page.locator("#step-all.done");
    await card.waitFor();
    const text = await card.textContent() ?? "";
    assert.match(text, /Medium/);
    assert.match(text, /green/);
    assert.match(text, /Cherry/);
    assert.match(text, /a\.txt.*b\.txt/s);
    assert.equal(await card.locator("dt", { hasText: "Tags" }).count(), 1);
    await page.locator("#step-done input[name=comment]").waitFor();
    await screenshot(page, "fields-done");
    assert.deepEqual(errors, []);
  },
  { plugins: withPlugins(["080_formkit.tsx", FORMKIT]) },
);
