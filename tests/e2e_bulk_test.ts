/**
 * Changes to many records from the browser ask once: "select all matching",
 * then Delete shows one confirmation (dismissed, nothing is sent and nothing
 * changes; accepted, every match goes and one Undo brings them all back),
 * and "Move to profile" shows one too.
 */
import assert from "node:assert/strict";
import { browserTest, postAsPage } from "./helpers/browser.ts";

browserTest(
  "select all matching, then bulk delete and move to profile each ask exactly one confirmation",
  async ({ page, url, server, confirms, answerConfirms }) => {
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    const bulkPosts: string[] = [];
    page.on("request", (r) => {
      if (r.method() === "POST" && new URL(r.url()).pathname === "/tasks/bulk") {
        bulkPosts.push(r.postData() ?? "");
      }
    });
    const post = async (path: string, form: Record<string, string>) => {
      const status = await postAsPage(server, path, form);
      assert.ok(status < 400, `${path}: ${status}`);
    };
    for (const name of ["Buy milk", "Oat milk", "Milk the goat", "Walk the dog"]) {
      await post("/tasks", { name });
    }
    await post("/profiles", { name: "Acme" });
    const db = server.runtime.db();
    const rows = () =>
      db.prepare("SELECT name, profile_id AS profile FROM tasks ORDER BY name").all() as {
        name: string;
        profile: number;
      }[];
    const acme = (db.prepare("SELECT id FROM profiles WHERE name = 'Acme'").get() as { id: number })
      .id;
    const before = rows();
    assert.equal(before.length, 4);

    await page.goto(url + "/tasks?q=milk");
    await page.locator("#tasks-list li.row").first().waitFor();
    assert.equal(await page.locator("#tasks-list li.row").count(), 3);
    const selectAll = page.locator("#tasks-all");
    const bar = page.locator("#tasks-bulk");

    // Dismissed: one question, no request, nothing changed.
    await selectAll.check();
    await bar.locator("[data-count]", { hasText: "3" }).waitFor();
    answerConfirms(false);
    await bar.getByRole("button", { name: "Delete" }).click();
    await page.waitForTimeout(300); // time for a second question or a request, if either came
    assert.deepEqual(confirms, ["Delete 3 records? Undo brings them back."]);
    assert.deepEqual(bulkPosts, [], "nothing sent after Cancel");
    assert.deepEqual(rows(), before, "nothing changed after Cancel");
    assert.equal(await page.locator("#tasks-list li.row").count(), 3);

    // Accepted: one question, one request, every match gone.
    answerConfirms(true);
    await bar.getByRole("button", { name: "Delete" }).click();
    await page.locator("#tasks-undo", { hasText: /deleted 3 records/i }).waitFor();
    const undo = page.locator("#tasks-undo [data-undo]");
    assert.equal(confirms.length, 2, `asked once more: ${confirms.join(" | ")}`);
    assert.equal(bulkPosts.length, 1);
    assert.match(bulkPosts[0]!, /all=1/);
    assert.deepEqual(rows().map((r) => r.name), ["Walk the dog"]);

    // One Undo brings all three back, with no question.
    await undo.click();
    await page.locator("#tasks-undo", { hasText: /undone/i }).waitFor();
    await page.locator("#tasks-list li.row").nth(2).waitFor();
    assert.deepEqual(rows(), before);
    assert.equal(confirms.length, 2, "Undo asks nothing");

    // Move to profile: one question, naming the profile.
    await selectAll.check();
    await bar.locator("[data-count]", { hasText: "3" }).waitFor();
    await bar.locator("select[name=profile]").selectOption(String(acme));
    await bar.getByRole("button", { name: "Move to profile" }).click();
    await page.locator("#tasks-undo", { hasText: /moved 3/i }).waitFor();
    assert.deepEqual(confirms.slice(2), ["Move 3 records to Acme?"]);
    assert.equal(bulkPosts.length, 2);
    assert.deepEqual(
      rows().filter((r) => r.profile === acme).map((r) => r.name),
      ["Buy milk", "Milk the goat", "Oat milk"],
    );
    assert.deepEqual(errors, []);
  },
);
