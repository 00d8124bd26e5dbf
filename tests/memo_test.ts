/** The bounded memo keeps recent outputs and never more than its budget. */
import assert from "node:assert/strict";
import fc from "fast-check";
import { memoize } from "@/lib/memo.ts";

Deno.test("a memo answers a repeated key without computing it again", () => {
  let calls = 0;
  const upper = memoize((s) => (calls++, s.toUpperCase()), { maxChars: 100, maxKeyChars: 10 });
  assert.equal(upper("abc"), "ABC");
  assert.equal(upper("abc"), "ABC");
  assert.equal(calls, 1);
  // Longer than maxKeyChars: computed every time, never kept.
  upper("a very long key");
  upper("a very long key");
  assert.equal(calls, 3);
});

Deno.test("a memo drops the least recently used first, and keeps within its budget", () => {
  const seen: string[] = [];
  const same = memoize((s) => (seen.push(s), s), { maxChars: 12, maxKeyChars: 10 });
  same("aa"); // 4 chars
  same("bb"); // 8
  same("aa"); // aa is now the most recent
  same("cc"); // 12
  same("dd"); // 16 > 12: bb goes
  same("aa");
  same("bb");
  assert.deepEqual(seen, ["aa", "bb", "cc", "dd", "bb"]);
});

Deno.test("a memo returns what the function returns, whatever the order of keys", () => {
  fc.assert(
    fc.property(fc.array(fc.string({ maxLength: 8 }), { maxLength: 60 }), (keys) => {
      const f = (s: string) => `<${s}>${s.length}`;
      const memo = memoize(f, { maxChars: 40, maxKeyChars: 6 });
      for (const key of keys) assert.equal(memo(key), f(key));
    }),
  );
});
