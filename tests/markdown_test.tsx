/**
 * Links in Markdown, the cards' and the chat's: web, mail, same-site and
 * relative addresses pass; everything else (script, data, another scheme, a
 * protocol-relative `//host` that leaves the site unannounced) becomes "#".
 */
import assert from "node:assert/strict";
import { Markdown } from "@/components/markdown.tsx";

const hrefs = (text: string, chat: boolean) =>
  [...String(<Markdown text={text} chat={chat} />).matchAll(/href="([^"]*)"/g)].map((m) => m[1]);

Deno.test("Markdown links keep safe addresses and turn the rest into #", () => {
  const cases: [string, string][] = [
    ["https://example.com/a", "https://example.com/a"],
    ["http://example.com", "http://example.com"],
    ["mailto:ada@example.com", "mailto:ada@example.com"],
    ["/tasks", "/tasks"],
    ["#top", "#top"],
    ["./here", "./here"],
    ["../up", "../up"],
    ["javascript:alert(1)", "#"],
    ["JaVaScRiPt:alert(1)", "#"],
    ["data:text/html,x", "#"],
    ["vbscript:x", "#"],
    ["//evil.example/x", "#"],
    ["/\\evil.example", "#"],
  ];
  for (const chat of [false, true]) {
    for (const [href, expected] of cases) {
      assert.deepEqual(hrefs(`[x](${href})`, chat), [expected], `${href} (chat: ${chat})`);
    }
  }
});
