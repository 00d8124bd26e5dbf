/**
 * @module
 * Highlighted code with a Copy button (`static/widgets.js` copies the code's
 * text, or selects it where the clipboard is not allowed).
 */

import { Code } from "./markdown.tsx";

/** `code` in `language`, with a button that copies it; `id` must be unique on the page. */
export function CopyableCode(props: { id: string; code: string; language: string }) {
  const id = `code-${props.id}`;
  return (
    <div class="copyable">
      <button type="button" class="secondary copy" data-copy={id} aria-label="Copy the code">
        Copy
      </button>
      <div id={id}>
        <Code code={props.code} language={props.language} />
      </div>
    </div>
  );
}
