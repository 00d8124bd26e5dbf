/**
 * @module
 * Run keys: one key tracks a run. A suggested key reads
 * `<profile>-<workflow>-<NN>`, numbered per workflow.
 */

/** What a key may look like. */
export const KEY_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** A message when `key` is not a valid key, else undefined. */
export function keyProblem(key: string): string | undefined {
  if (key.length === 0) return "Enter a key for the run.";
  if (key.length > 64) return "A key is at most 64 characters.";
  if (!KEY_PATTERN.test(key)) return "A key may hold letters, digits, - and _ only.";
  return undefined;
}

/** `name` reduced to key characters: "Ada Lovelace" → "ada-lovelace". */
export function slugify(name: string): string {
  const slug = name.toLowerCase().normalize("NFKD").replace(/[^a-z0-9]+/g, "-").replace(
    /^-+|-+$/g,
    "",
  );
  return slug.slice(0, 24) || "default";
}

/** What every suggested key of `profile` and `workflow` starts with. */
export function keyPrefix(profile: string, workflow: string): string {
  return `${slugify(profile)}-${workflow}-`;
}

/** The next unused key for `profile` and `workflow`, given the keys in use. */
export function suggestKey(
  profile: string,
  workflow: string,
  taken: (key: string) => boolean,
): string {
  const prefix = keyPrefix(profile, workflow);
  for (let n = 1;; n++) {
    const key = prefix + String(n).padStart(2, "0");
    if (!taken(key)) return key;
  }
}
