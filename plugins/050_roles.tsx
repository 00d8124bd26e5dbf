/**
 * @module
 * Roles: which groups of apps the menu shows. Core is always shown; turn the
 * others on and off here.
 */

import { defineCrud } from "@/pipeline/mod.ts";

export default defineCrud({
  name: "roles",
  title: "Roles",
  description: "Groups of apps in the menu: switch a role off to hide its apps.",
  roles: ["Core"],
  assistant: false,
  holds: "roles",
  fields: [
    { name: "name", type: "text", maxLength: 40 },
    { name: "active", type: "bool", default: true },
  ],
  toggle: "active",
  sort: true,
  seed: [
    { name: "Core", active: true },
    { name: "Tutorial", active: true },
    { name: "Developer", active: true },
  ],
});
