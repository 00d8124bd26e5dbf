/**
 * @module
 * Tasks: a todo list for the current profile, in the order you drag it into.
 * The README's example of a CRUD app.
 */

import { defineCrud } from "@/pipeline/mod.ts";

export default defineCrud({
  name: "tasks",
  title: "Tasks",
  description: "A todo list for the current profile: add, tick off, reorder.",
  roles: ["Core"],
  fields: [
    { name: "name", type: "text", maxLength: 200, description: "what to do" },
    { name: "done", type: "bool", description: "whether it is finished" },
  ],
  toggle: "done",
  sort: true,
  scope: "profile",
  llm: "Tasks belong to the current profile. Mark a task finished with toggle.",
});
