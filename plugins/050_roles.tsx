/**
 * @module
 * Roles: which groups of apps the menu shows. Core is always shown; turn the
 * others on and off here.
 */

import { defineCrud } from "@/pipeline/mod.ts";

export default defineCrud({
  name: "roles",
  title: "Roles",
  description:
    "Groups of apps in the menu: switch a role off to hide its apps, drag to order them, pick a colour.",
  roles: ["Core"],
  assistant: false,
  holds: "roles",
  fields: [
    { name: "name", type: "text", maxLength: 40 },
    { name: "active", type: "bool", default: true },
    {
      name: "colour",
      type: "select",
      options: ["blue", "green", "amber", "red", "purple", "teal", "pink", "grey"],
      default: "blue",
    },
  ],
  toggle: "active",
  sort: true,
  seed: [
    { name: "Core", active: true, colour: "blue" },
    { name: "Tutorial", active: true, colour: "green" },
    { name: "Developer", active: true, colour: "purple" },
  ],
  // "Restore defaults" puts these three back, in this order, with these colours (one undo).
  restorable: true,
  // Every role shows its colour as a chip, the default blue too (a select at its default is
  // otherwise left out of the row as the usual value).
  details: (role) => (
    <span class="badge option role-chip" title="colour">
      <span class={`role-mark role-${String(role.colour)}`} aria-hidden="true"></span>
      {String(role.colour)}
    </span>
  ),
});
