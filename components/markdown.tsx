/**
 * @module
 * Markdown and highlighted code for workflow cards. Text is untrusted:
 * raw HTML in it is escaped, links and images keep only http(s), mailto and
 * relative addresses, and code is escaped by the highlighter.
 */

import { raw } from "hono/html";
import { escapeHtml } from "../lib/html.ts";
import { memoize } from "../lib/memo.ts";
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

for (const [name, language] of Object.entries(LANGUAGES)) {
  if (!hljs.getLanguage(name)) hljs.registerLanguage(name, language);
}

/**
 * What a page draws again it draws the same: a run page re-renders its past
 * cards' Markdown and code on every request, so the output is kept (bounded
 * to about 2 MB of text; long inputs are never kept).
 */
const MEMO = { maxChars: 2_000_000, maxKeyChars: 50_000 };

/** `language` + newline + code → highlighted HTML (a language name holds no newline). */
const highlight = memoize((key) => {
  const cut = key.indexOf("\n");
  return hljs.highlight(key.slice(cut + 1), { language: key.slice(0, cut) }).value;
}, MEMO);

const SAFE_URL = /^(https?:|mailto:|\/(?![/\\])|#|\.{1,2}\/)/i;

function safeHref(href: string): string {
  return SAFE_URL.test(href) ? href : "#";
}

const markdown = new Marked({
  gfm: true,
  renderer: { html: (token) => escapeHtml(token.text) },
  walkTokens(token: Token) {
    if (token.type === "link" || token.type === "image") token.href = safeHref(token.href);
  },
});

/**
 * Markdown for the chat: the card rules, plus links that open in a new tab
 * without handing it this page (`noopener noreferrer`), images shown as links
 * (an image would load from wherever the model says), and code blocks
 * highlighted with a copy button.
 */
const chatMarkdown = new Marked({
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

const renderCard = memoize((text) => markdown.parse(text, { async: false }) as string, MEMO);
const renderChat = memoize((text) => chatMarkdown.parse(text, { async: false }) as string, MEMO);

/** Render untrusted Markdown safely. */
export function Markdown(props: { text: string; chat?: boolean }) {
  const html = (props.chat ? renderChat : renderCard)(props.text);
  return <div class="markdown">{raw(html)}</div>;
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
  const html = hljs.getLanguage(props.language)
    ? highlight(`${props.language}\n${props.code}`)
    : escapeHtml(props.code);
  return (
    <pre class="code">
      <code class={`hljs language-${escapeHtml(props.language)}`}>{raw(html)}</code>
    </pre>
  );
}
