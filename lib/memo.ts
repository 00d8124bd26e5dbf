/**
 * @module
 * A bounded memo for pure string functions (Markdown, highlighting): a page
 * drawn again draws the same text, and its output is the same. The oldest
 * use is dropped first once the entries' characters pass `maxChars`, so the
 * memory it holds stays bounded however much text passes through.
 */

/** Options for {@linkcode memoize}. */
export interface MemoOptions {
  /** Characters (keys and values) kept at most. */
  maxChars: number;
  /** Inputs longer than this are computed every time and never kept. */
  maxKeyChars: number;
}

/** `fn`, answering from memory for a key it has computed recently. */
export function memoize(
  fn: (key: string) => string,
  options: MemoOptions,
): (key: string) => string {
  const kept = new Map<string, string>();
  let chars = 0;
  return (key) => {
    if (key.length > options.maxKeyChars) return fn(key);
    const hit = kept.get(key);
    if (hit !== undefined) {
      // Most recently used last: a Map iterates in insertion order.
      kept.delete(key);
      kept.set(key, hit);
      return hit;
    }
    const value = fn(key);
    kept.set(key, value);
    chars += key.length + value.length;
    for (const [oldKey, oldValue] of kept) {
      if (chars <= options.maxChars) break;
      kept.delete(oldKey);
      chars -= oldKey.length + oldValue.length;
    }
    return value;
  };
}
