/**
 * @module
 * The page shell from the original design's UI hierarchy: a navigation bar, the main
 * area, the chat panel on the right and the poke button. Pure: props in, JSX
 * out. `web/shell.tsx` gathers the props.
 */

import type { Child } from "hono/jsx";
import { raw } from "hono/html";

/** One entry of the app menu. */
export interface MenuItem {
  slug: string;
  title: string;
  href: string;
  description: string;
}

/** The menu items of one role. */
export interface MenuGroup {
  role: string;
  /** The role's colour, a name from the Roles app's palette (shown as a mark beside it). */
  colour?: string;
  items: MenuItem[];
}

/** A profile as the nav bar shows it. */
export interface ProfileChoice {
  id: string;
  name: string;
}

/** Everything the shell shows around a page. */
export interface ShellProps {
  title: string;
  /** Path of the page, to mark its menu entry. */
  path: string;
  menu: MenuGroup[];
  /** Every app, active role or not, for the Ctrl+K search. */
  allApps: MenuGroup[];
  profiles: ProfileChoice[];
  currentProfile: string;
  environment: "development" | "production";
  /** The context stamp every write from this page carries back (see services/context.ts). */
  context: string;
  /** URLs of the embedded static files. */
  assets: {
    css: string;
    htmx: string;
    sse: string;
    ws: string;
    app: string;
    sortable: string;
    /** Workflow glue, and the display widgets with the libraries they load when needed. */
    workflow: string;
    widgets: string;
    chart: string;
    table: string;
    tableCss: string;
    mermaid: string;
    lists: string;
    shell: string;
  };
  bootId: string;
  /** The dev-mode script's URL, only under `deno task dev`. */
  devScript?: string;
  /** The chat panel's content; a notice until the chat is wired. */
  chat?: Child;
  children?: Child;
}

/** The app menu: a group per role, each entry an htmx link into `#main`. */
export function AppMenu(props: { menu: MenuGroup[]; path: string }) {
  return (
    <nav
      id="app-menu"
      aria-label="Apps"
      hx-get="/nav/menu"
      hx-trigger="nav:changed from:body"
      hx-swap="outerHTML"
    >
      {props.menu.map((group) => (
        <details class="menu-group" open>
          <summary>
            <span
              class={`role-mark role-${group.colour ?? "grey"}`}
              aria-hidden="true"
            >
            </span>
            {group.role}
          </summary>
          <ul>
            {group.items.map((item) => (
              <li>
                <a
                  href={item.href}
                  hx-get={item.href}
                  hx-target="#main"
                  hx-push-url="true"
                  title={item.description}
                  aria-current={props.path === item.href ||
                      props.path.startsWith(item.href + "/")
                    ? "page"
                    : undefined}
                >
                  {item.title}
                </a>
              </li>
            ))}
          </ul>
        </details>
      ))}
    </nav>
  );
}

/** The environment badge with its switch and the development reset. */
export function EnvironmentSwitch(props: { environment: "development" | "production" }) {
  const other = props.environment === "development" ? "production" : "development";
  return (
    <div id="environment" class={`environment env-${props.environment}`}>
      <span class="badge" title="The database Cardflow is using now">
        {props.environment === "development" ? "Development" : "Production"}
      </span>
      <form hx-post="/environment" hx-swap="none">
        <input type="hidden" name="to" value={other} />
        <button type="submit" class="link">Switch to {other}</button>
      </form>
      {props.environment === "development" && (
        <form
          hx-post="/environment/reset"
          hx-swap="none"
          hx-confirm="Delete everything in the development database?"
        >
          <button type="submit" class="link danger">Reset</button>
        </form>
      )}
    </div>
  );
}

/** The profile menu: the current profile, and the others to switch to. */
export function ProfileMenu(props: { profiles: ProfileChoice[]; current: string }) {
  return (
    <details
      id="profile-menu"
      class="profile"
      hx-get="/nav/profiles"
      hx-trigger="nav:changed from:body"
      hx-swap="outerHTML"
    >
      <summary>
        <span class="muted">Profile</span> <strong>{props.current}</strong>
      </summary>
      <ul class="menu-popup">
        {props.profiles.map((p) => (
          <li>
            <button type="button" class="link" hx-post={`/profiles/${p.id}/select`} hx-swap="none">
              {p.name}
            </button>
          </li>
        ))}
        <li>
          <a href="/profiles" hx-get="/profiles" hx-target="#main" hx-push-url="true">
            Manage profiles…
          </a>
        </li>
      </ul>
    </details>
  );
}

/** The Ctrl+K app search: a dialog listing every app, filtered as you type. */
export function AppSearch(props: { apps: MenuGroup[] }) {
  return (
    <dialog id="app-search" aria-label="Search apps">
      <input
        type="search"
        placeholder="Search apps… (Enter opens, Esc closes)"
        aria-label="Search apps"
      />
      <ul>
        {props.apps.flatMap((g) =>
          g.items.map((item) => (
            <li>
              <a
                href={item.href}
                data-title={item.title.toLowerCase()}
                data-search={`${item.title} ${item.description} ${g.role}`.toLowerCase()}
              >
                {item.title} <span class="muted">{g.role}</span>
              </a>
            </li>
          ))
        )}
      </ul>
    </dialog>
  );
}

/** The full HTML page. */
export function Layout(props: ShellProps) {
  return (
    <>
      {raw("<!DOCTYPE html>")}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <meta name="color-scheme" content="light dark" />
          <meta name="htmx-config" content='{"defaultTimeout": 30000}' />
          <meta name="cardflow-boot" content={props.bootId} />
          <title>{props.title} · Cardflow</title>
          <link rel="icon" href="data:," />
          <link rel="stylesheet" href={props.assets.css} />
          <script src={props.assets.htmx}></script>
          <script src={props.assets.sse}></script>
          <script src={props.assets.ws}></script>
          <script src={props.assets.sortable} defer></script>
          <script src={props.assets.app} defer></script>
          <script src={props.assets.workflow} defer></script>
          <script
            src={props.assets.widgets}
            defer
            data-chart={props.assets.chart}
            data-table={props.assets.table}
            data-table-css={props.assets.tableCss}
            data-mermaid={props.assets.mermaid}
          >
          </script>
          <script src={props.assets.lists} defer></script>
          <script src={props.assets.shell} defer></script>
          {props.devScript && <script src={props.devScript} defer></script>}
        </head>
        <body
          hx-sse:connect="/events"
          hx-headers:inherited={JSON.stringify({ "X-Cardflow-Context": props.context })}
          data-context={props.context}
        >
          <a class="skip" href="#main">Skip to content</a>
          <header class="topbar">
            <button
              type="button"
              id="menu-toggle"
              class="secondary drawer-toggle"
              aria-controls="app-menu"
              aria-expanded="false"
            >
              Menu
            </button>
            <a class="brand" href="/" hx-get="/" hx-target="#main" hx-push-url="true">
              Cardflow
            </a>
            <nav class="links" aria-label="Tools">
              <a href="/history" hx-get="/history" hx-target="#main" hx-push-url="true">History</a>
              <a href="/backups" hx-get="/backups" hx-target="#main" hx-push-url="true">Backups</a>
            </nav>
            <ProfileMenu profiles={props.profiles} current={props.currentProfile} />
            <EnvironmentSwitch environment={props.environment} />
            <button
              type="button"
              id="chat-toggle"
              class="secondary drawer-toggle"
              aria-controls="chat"
              aria-expanded="false"
            >
              Chat
            </button>
          </header>
          <div class="shell">
            <AppMenu menu={props.menu} path={props.path} />
            <main id="main" tabindex={-1}>
              {props.children}
            </main>
            <aside id="chat" aria-label="Chat">
              <button type="button" class="secondary drawer-close" data-close="chat-toggle">
                Close the chat
              </button>
              {props.chat ?? <p class="muted">The chat panel is not connected.</p>}
              {/* In the panel's flow, below the conversation: it never covers any text. */}
              <div class="poke-row">
                <button
                  id="poke"
                  type="button"
                  class="secondary"
                  title="Ask the assistant for a nudge about this page"
                  hx-post="/chat/poke"
                  hx-vals="js:{where: location.pathname + ' (' + document.title + ')'}"
                  hx-swap="none"
                >
                  Poke
                </button>
              </div>
            </aside>
          </div>
          <div id="flash" role="status" aria-live="polite"></div>
          <AppSearch apps={props.allApps} />
        </body>
      </html>
    </>
  );
}

/** A message box for errors and notices, shown in `#flash` or inline. */
export function Notice(props: { kind?: "error" | "info"; children?: Child }) {
  return (
    <div
      class={`notice ${props.kind ?? "info"}`}
      role={props.kind === "error" ? "alert" : "status"}
    >
      {props.children}
    </div>
  );
}
