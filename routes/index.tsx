/**
 * @module
 * The home page: what Cardflow is and a card per app, in menu order.
 */

import { Hono } from "hono";
import type { Deps } from "@/web/deps.ts";
import { menuOf, render } from "@/web/shell.tsx";

/** `/`: the home page. */
export default function home(deps: Deps): Hono {
  return new Hono().get("/", (c) => {
    const menu = menuOf(deps.services.plugins);
    return render(
      c,
      deps,
      <section class="home">
        <div class="card">
          <h1>Welcome to Cardflow</h1>
          <p>
            Step-by-step workflows and small apps, on your machine, with a local assistant beside
            them. Pick an app to begin.
          </p>
        </div>
        {menu.map((group) => (
          <div class="card">
            <h2>{group.role}</h2>
            <ul class="app-list">
              {group.items.map((item) => (
                <li>
                  <a href={item.href} hx-get={item.href} hx-target="#main" hx-push-url="true">
                    {item.title}
                  </a>
                  <span class="muted">{item.description}</span>
                </li>
              ))}
            </ul>
          </div>
        ))}
      </section>,
      { title: "Home" },
    );
  });
}
