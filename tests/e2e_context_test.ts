import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { browserTest } from "./helpers/browser.ts";
import { screenshot } from "./helpers/screens.ts";

/** Type a task into a page's add box and press Enter. */
async function typeTask(page: Page, name: string): Promise<void> {
  await page.locator("#tasks-add input[name=name]").fill(name);
  await page.locator("#tasks-add input[name=name]").press("Enter");
}

browserTest(
  "two tabs: a switch of environment or profile in one shows in the other before any write, and a write from the stale tab is refused and stored nowhere",
  async ({ page, url, newPage, server }) => {
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    const other = await newPage();
    other.on("pageerror", (e) => errors.push(e.message));
    await page.goto(url + "/tasks");
    await other.goto(url + "/tasks");
    await other.locator("#tasks-list").waitFor();
    const stored = (name: string) =>
      Number(
        (server.runtime.db().prepare("SELECT COUNT(*) AS n FROM tasks WHERE name = ?").get(
          name,
        ) as { n: number }).n,
      );

    // Tab 1 switches to Production; tab 2 is told before it writes anything.
    await page.getByRole("button", { name: "Switch to production" }).click();
    await page.locator("#environment .badge", { hasText: "Production" }).waitFor();
    const notice = other.locator("#stale");
    await notice.waitFor({ timeout: 5000 });
    assert.match(
      await notice.innerText(),
      /Cardflow switched to the Production database \(profile “Default”\) in another tab/,
    );
    await screenshot(other, "stale-tab");
    await typeTask(other, "Typed in the stale tab");
    await other.locator("#flash", { hasText: "Cardflow now uses Production" }).waitFor();
    assert.equal(stored("Typed in the stale tab"), 0, "not stored in production");

    // Reload follows the switch; the write then lands where the page says.
    await other.locator("#stale").getByRole("button", { name: "Reload" }).click();
    await other.locator("#environment .badge", { hasText: "Production" }).waitFor();
    await typeTask(other, "Typed after reload");
    await other.locator("#tasks-list .title", { hasText: "Typed after reload" }).waitFor();
    assert.equal(stored("Typed after reload"), 1);

    // Back to development in tab 2; tab 1 is told too.
    await other.getByRole("button", { name: "Switch to development" }).click();
    await page.locator("#stale").waitFor({ timeout: 5000 });
    await page.reload();

    // A profile chosen in tab 1: tab 2 is told, and its write does not land in the other profile.
    await page.goto(url + "/profiles");
    await page.locator("#profiles-add input[name=name]").fill("Acme");
    await page.keyboard.press("Enter");
    // The new profile appears in the other tab's switcher at once, without a reload.
    await other.reload();
    await page.locator("#profiles-add input[name=name]").fill("Bee");
    await page.keyboard.press("Enter");
    await other.locator("#profile-menu summary").click();
    await other.locator("#profile-menu li", { hasText: "Bee" }).waitFor({ timeout: 5000 });
    await other.locator("#profile-menu summary").click();
    await page.locator("#profiles-list li.row", { hasText: "Acme" }).getByRole("button", {
      name: "Use",
    }).click();
    await page.locator("#profile-menu strong", { hasText: "Acme" }).waitFor();
    await other.locator("#stale", { hasText: "The current profile is now “Acme”" }).waitFor({
      timeout: 5000,
    });
    await typeTask(other, "Meant for Default");
    await other.locator("#flash", { hasText: "the current profile is now “Acme”" }).waitFor();
    assert.equal(stored("Meant for Default"), 0);
    assert.deepEqual(errors, []);
  },
);

browserTest(
  "two tabs: a reset or a restore in one shows in the other, and the stale tab's write is refused",
  async ({ page, url, newPage, server }) => {
    const other = await newPage();
    const stored = (name: string) =>
      Number(
        (server.runtime.db().prepare("SELECT COUNT(*) AS n FROM tasks WHERE name = ?").get(
          name,
        ) as { n: number }).n,
      );
    await page.goto(url + "/backups");
    await page.getByRole("button", { name: /Back up the development database now/ }).click();
    await page.locator("#backups .notice", { hasText: "Saved" }).waitFor();
    await other.goto(url + "/tasks");
    await other.locator("#tasks-list").waitFor();

    await page.getByRole("button", { name: "Restore" }).first().click();
    await other.locator("#stale", { hasText: "A backup was restored" }).waitFor({ timeout: 5000 });
    await typeTask(other, "After the restore");
    await other.locator("#flash", { hasText: "reset or restored since this page was opened" })
      .waitFor();
    assert.equal(stored("After the restore"), 0);

    await other.reload();
    await other.locator("#tasks-list").waitFor();
    await page.goto(url + "/tasks");
    await page.getByRole("button", { name: "Reset" }).click();
    await other.locator("#stale", { hasText: "was reset" }).waitFor({ timeout: 5000 });
    await typeTask(other, "After the reset");
    await other.locator("#flash", { hasText: "reset or restored" }).waitFor();
    assert.equal(stored("After the reset"), 0);
  },
);

browserTest(
  "renaming the current profile and switching a role off update every open tab's nav without a reload",
  async ({ page, url, newPage }) => {
    const other = await newPage();
    await page.goto(url + "/profiles");
    await other.goto(url + "/");
    await other.locator("#app-menu a", { hasText: "Showcase" }).waitFor();

    await page.locator("#profiles-list li.row .title", { hasText: "Default" }).click();
    const edit = page.locator("#profiles-list li.editing input[name=name]");
    await edit.fill("Household");
    await edit.press("Enter");
    await other.locator("#profile-menu strong", { hasText: "Household" }).waitFor({
      timeout: 5000,
    });

    await page.goto(url + "/roles");
    await page.locator("#roles-list li.row", { hasText: "Developer" }).locator(
      "input.toggle",
    ).uncheck();
    await other.locator("#app-menu a", { hasText: "Showcase" }).waitFor({
      state: "detached",
      timeout: 5000,
    });
    assert.equal(await other.locator("#stale").count(), 0, "a nav change is not a context change");
    await screenshot(other, "nav-after-role-off");
  },
);
