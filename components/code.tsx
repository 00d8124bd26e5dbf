/**
 * @module
 * Highlighted code with a Copy button, for a step's `display`: the same block
 * the chat and Markdown cards show (`static/app.js` copies it, or selects it
 * where the clipboard is not allowed).
 */

import { CodeBlock } from "./markdown.tsx";

/** `code` in `language`, with a button that copies it; `id` must be unique on the page. */
export function CopyableCode(props: { id: string; code: string; language: string }) {
  return (
    <div id={`code-${props.id}`}>
      <CodeBlock code={props.code} language={props.language} />
    </div>
  );
}
