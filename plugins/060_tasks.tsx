/**
 * @module
 * Tasks: a todo list for the current profile, in the order you drag it into.
 * The README's example of a CRUD app.
 */

import { defineCrud } from "@/pipeline/mod.ts";

export default defineCrud({
  name: "tasks",
  title: "Tasks",
  description:
    "A todo list for the current profile: add, tick off, reorder, search, and change many at once.",
  roles: ["Core"],
  fields: [
    { name: "name", type: "text", maxLength: 200, description: "what to do" },
    { name: "done", type: "bool", description: "whether it is finished" },
    {
      name: "priority",
      type: "select",
      options: ["low", "normal", "high"],
      default: "normal",
      description: "how urgent it is: low, normal or high",
    },
    { name: "due", type: "date", description: "the day it is due, YYYY-MM-DD" },
    { name: "tags", type: "tags", description: "short labels, e.g. home, work" },
    { name: "hours", type: "number", min: 0, description: "the time it should take, in hours" },
    { name: "notes", type: "textarea", maxLength: 2000, description: "anything else" },
  ],
  toggle: "done",
  sort: true,
  scope: "profile",
  llm: "Tasks belong to the current profile. Mark a task finished with toggle.",
});
