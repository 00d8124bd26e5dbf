/**
 * @module
 * Steps a person takes in the browser that several end-to-end tests share.
 */

import type { Page } from "playwright-core";

/** On the Profiles page of the server at `url`, add the profile `name` and make it current. */
export async function useNewProfile(page: Page, to: { url: string; name: string }): Promise<void> {
  await page.goto(to.url + "/profiles");
  await page.locator("#profiles-add input[name=name]").fill(to.name);
  await page.keyboard.press("Enter");
  await page.locator("#profiles-list li.row", { hasText: to.name }).getByRole("button", {
    name: "Use",
  }).click();
  await page.locator("#profile-menu strong", { hasText: to.name }).waitFor();
}
