/**
 * @module
 * A Mermaid diagram for workflow cards. The source is rendered as escaped
 * text; `static/widgets.js` loads Mermaid only on a page that shows one and
 * draws it with `securityLevel: "strict"` (labels are text, never HTML or
 * links). {@linkcode mermaidLabel} makes any text safe to put in a label.
 */

/** `text` as a quoted Mermaid label: no quotes, brackets or line breaks can end it early. */
export function mermaidLabel(text: string): string {
  const clean = text.replace(/["\r\n\t]/g, " ").replace(/[<>{}[\]|`#;]/g, "_").slice(0, 60);
  return `"${clean}"`;
}

/**
 * A diagram drawn from Mermaid `source`, described by `label`: the figure's
 * caption names it (a `<pre>` may not carry an `aria-label` of its own).
 */
export function Diagram(props: { source: string; label: string }) {
  return (
    <figure class="diagram-figure">
      <figcaption>{props.label}</figcaption>
      <pre class="mermaid diagram" data-diagram>{props.source}</pre>
    </figure>
  );
}
