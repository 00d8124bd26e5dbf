/**
 * @module
 * Markdown and highlighted code for workflow cards. Text is untrusted:
 * raw HTML in it is escaped, links and images keep only http(s), mailto and
 * relative addresses, and code is escaped by the highlighter.
 */

import { raw } from "hono/html";
import { escapeHtml } from "../lib/html.ts";
import { Marked, type Token } from "marked";
import hljs from "highlight.js/lib/core";
import javascript from "highlight.js/lib/languages/javascript";
import typescript from "highlight.js/lib/languages/typescript";
import json from "highlight.js/lib/languages/json";
import python from "highlight.js/lib/languages/python";
import sql from "highlight.js/lib/languages/sql";
import bash from "highlight.js/lib/languages/bash";

/** Languages the highlighter knows. */
export const LANGUAGES = { javascript, typescript, json, python, sql, bash } as const;

function highlighter(): typeof hljs {
  for (const [name, language] of Object.entries(LANGUAGES)) {
    if (!hljs.getLanguage(name)) hljs.registerLanguage(name, language);
  }
  return hljs;
}

const SAFE_URL = /^(https?:|mailto:|\/(?!\/)|#|\.{0,2}\/)/i;

function safeHref(href: string): string {
  return SAFE_URL.test(href) ? href : "#";
}

function markdown(): Marked {
  return new Marked({
    gfm: true,
    renderer: { html: (token) => escapeHtml(token.text) },
    walkTokens(token: Token) {
      if (token.type === "link" || token.type === "image") token.href = safeHref(token.href);
    },
  });
}

/**
 * Markdown for the chat: the card rules, plus links that open in a new tab
 * without handing it this page (`noopener noreferrer`), images shown as links
 * (an image would load from wherever the model says), and code blocks
 * highlighted with a copy button.
 */
function chatMarkdown(): Marked {
  return new Marked({
    gfm: true,
    renderer: {
      html: (token) => escapeHtml(token.text),
      link(token) {
        const text = this.parser.parseInline(token.tokens);
        return `<a href="${escapeHtml(safeHref(token.href))}" rel="noopener noreferrer" ` +
          `target="_blank">${text}</a>`;
      },
      image(token) {
        const label = escapeHtml(token.text || "image");
        return `<a href="${escapeHtml(safeHref(token.href))}" rel="noopener noreferrer" ` +
          `target="_blank">[image: ${label}]</a>`;
      },
      code(token) {
        return String(<CodeBlock code={token.text} language={token.lang ?? ""} />);
      },
    },
  });
}

/** Render untrusted Markdown safely. */
export function Markdown(props: { text: string; chat?: boolean }) {
  const html = (props.chat ? chatMarkdown() : markdown()).parse(props.text, { async: false });
  return <div class="markdown">{raw(html as string)}</div>;
}

/** A highlighted block of code with a button that copies it. */
export function CodeBlock(props: { code: string; language: string }) {
  return (
    <div class="code-block">
      <button type="button" class="link copy" data-copy="code" aria-label="Copy the code">
        Copy
      </button>
      <Code code={props.code} language={props.language || "plaintext"} />
    </div>
  );
}

/** Highlight `code` in `language` (plain, escaped text for an unknown language). */
export function Code(props: { code: string; language: string }) {
  const hl = highlighter();
  const html = hl.getLanguage(props.language)
    ? hl.highlight(props.code, { language: props.language }).value
    : escapeHtml(props.code);
  return (
    <pre class="code">
      <code class={`hljs language-${escapeHtml(props.language)}`}>{raw(html)}</code>
    </pre>
  );
}
