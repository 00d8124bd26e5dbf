/**
 * @module
 * Profiles (the original design's clients): who the work is for. The current profile,
 * chosen here or in the nav bar, scopes Tasks and names new workflow keys.
 */

import { defineCrud } from "@/pipeline/mod.ts";

export default defineCrud({
  name: "profiles",
  title: "Profiles",
  description: "The people or clients you work for; pick one to scope your tasks and runs.",
  roles: ["Core"],
  holds: "profiles",
  assistant: false,
  fields: [
    { name: "name", type: "text", maxLength: 80 },
    { name: "real_name", label: "real name", type: "text", required: false, maxLength: 120 },
    { name: "address", type: "textarea", maxLength: 200 },
    { name: "website", type: "url" },
    { name: "code", type: "text", required: false, maxLength: 40, inForm: false },
    { name: "active", type: "bool", default: true },
  ],
  toggle: "active",
  sort: true,
  seed: [{ name: "Default", active: true }],
  // A custom row: the real name and code together, quietly.
  details: (profile) =>
    profile.real_name || profile.code
      ? <span class="muted">{[profile.real_name, profile.code].filter(Boolean).join(" · ")}</span>
      : null,
});
