/**
 * @module
 * One URL serves the page and its fragment: an htmx request aimed at a part
 * of the page gets the fragment alone (with a `<title>` htmx applies), any
 * other request gets it wrapped in the layout.
 */

import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { Child } from "hono/jsx";
import type { HtmlEscapedString } from "hono/utils/html";
import { ChatPanel } from "../components/chat.tsx";
import { raw } from "hono/html";
import { Layout, type MenuGroup, type ShellProps } from "../components/layout.tsx";
import type { LoadedPlugin } from "../pipeline/plugin.ts";
import type { Role } from "../services/roles.ts";
import type { Deps } from "./deps.ts";

/** Whether the request wants a fragment rather than a whole page. */
export function wantsFragment(c: Context): boolean {
  return c.req.header("hx-request") === "true" &&
    c.req.header("hx-request-type") !== "full" &&
    c.req.header("hx-history-restore-request") !== "true";
}

/**
 * The menu: one group per role, plugins in file order within each. With
 * `roles`, only their groups, in their order and colours.
 */
export function menuOf(
  plugins: readonly LoadedPlugin[],
  roles?: readonly Role[],
): MenuGroup[] {
  const groups = new Map<string, MenuGroup>();
  for (const role of roles ?? []) {
    groups.set(role.name, { role: role.name, colour: role.colour, items: [] });
  }
  for (const plugin of [...plugins].sort((a, b) => a.order - b.order)) {
    const role = plugin.definition.roles?.[0] ?? "Core";
    if (roles && !groups.has(role)) continue;
    let group = groups.get(role);
    if (!group) groups.set(role, group = { role, items: [] });
    group.items.push({
      slug: plugin.slug,
      title: plugin.definition.title,
      href: `/${plugin.slug}`,
      description: plugin.definition.description,
    });
  }
  return [...groups.values()].filter((g) => g.items.length > 0);
}

/**
 * Respond with rendered JSX. Rendering to a string first keeps the common,
 * synchronous case off `c.html(node)`'s promise path, which cost more than
 * the rendering itself (see `deno task bench`).
 */
export function html(
  c: Context,
  node: Rendered,
  status: RenderOptions["status"] = 200,
): Response | Promise<Response> {
  const text = toText(node);
  return typeof text === "string" ? c.html(text, status) : text.then((t) => c.html(t, status));
}

/** What JSX renders to: a string, or a promise of one when a component is async. */
export type Rendered = HtmlEscapedString | Promise<HtmlEscapedString>;

/** Rendered JSX as text: a string when every component in it is synchronous. */
export function toText(node: Rendered): string | Promise<string> {
  return node instanceof Promise ? node.then(String) : String(node);
}

/** Options for {@linkcode render}. */
export interface RenderOptions {
  title: string;
  status?: ContentfulStatusCode;
}

/** Render `body` as a fragment or a full page, as the request wants. */
export function render(
  c: Context,
  deps: Deps,
  body: Child,
  options: RenderOptions,
): Response | Promise<Response> {
  const status = options.status ?? 200;
  if (wantsFragment(c)) {
    return html(
      c,
      <>
        <title>{options.title} · Cardflow</title>
        {body}
      </>,
      status,
    );
  }
  const [before, after] = shellAround(c, deps, options.title);
  const inner = toText(<>{body}</>);
  return typeof inner === "string"
    ? c.html(before + inner + after, status)
    : inner.then((text) => c.html(before + text + after, status));
}

const BODY_MARK = "<!--cardflow:body-->";

/**
 * The page around the body, rendered once per distinct set of inputs and
 * kept in `deps.memo`: the shell is most of a page's markup and rendering
 * time, and what it shows (title, path, roles, profiles, context) repeats.
 * The key is built from those inputs, not from the rendered props, which
 * cost more to serialise than the cache saved.
 */
function shellAround(c: Context, deps: Deps, title: string): [string, string] {
  const { services } = deps;
  const roles = services.roles.active();
  const profiles = services.profiles.choices();
  const current = services.profiles.current().name;
  const stamp = services.context.stamp();
  const key = "shell" + JSON.stringify([title, c.req.path, stamp, current, roles, profiles]);
  const cached = deps.memo.get(key) as [string, string] | undefined;
  if (cached) return cached;
  const a = deps.assets;
  const props: Omit<ShellProps, "children" | "chat"> = {
    title,
    path: c.req.path,
    menu: menuOf(services.plugins, roles),
    allApps: menuOf(services.plugins),
    profiles: profiles.map((p) => ({ id: String(p.id), name: p.name })),
    currentProfile: current,
    environment: services.environment,
    context: stamp,
    bootId: deps.bootId,
    devScript: deps.config.dev ? a.url("dev.js") : undefined,
    assets: {
      css: a.url("app.css"),
      htmx: a.url("htmx.min.js"),
      sse: a.url("hx-sse.min.js"),
      ws: a.url("hx-ws.min.js"),
      app: a.url("app.js"),
      sortable: a.url("sortable.min.js"),
      workflow: a.url("workflow.js"),
      widgets: a.url("widgets.js"),
      chart: a.url("echarts.min.js"),
      table: a.url("tabulator.min.js"),
      tableCss: a.url("tabulator.min.css"),
      mermaid: a.url("mermaid.min.js"),
      lists: a.url("lists.js"),
      shell: a.url("shell.js"),
    },
  };
  const text = String(<Layout {...props} chat={<ChatPanel />}>{raw(BODY_MARK)}</Layout>);
  const at = text.indexOf(BODY_MARK);
  const parts: [string, string] = [text.slice(0, at), text.slice(at + BODY_MARK.length)];
  if (deps.memo.size >= 500) deps.memo.clear();
  deps.memo.set(key, parts);
  return parts;
}
