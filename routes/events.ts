/**
 * @module
 * `/events`: the page's one Server-Sent Events stream (see `lib/live.ts`).
 * It opens with a `boot` event carrying the server's boot id, then relays
 * every published event, with a comment line every 20 s to keep it open.
 */

import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import type { Deps } from "@/web/deps.ts";
import type { LiveMessage } from "@/lib/live.ts";

/** The live-update stream. */
export default function events(deps: Deps): Hono {
  return new Hono().get("/", (c) =>
    streamSSE(c, async (stream) => {
      const queue: LiveMessage[] = [];
      let wake: (() => void) | undefined;
      const unsubscribe = deps.live.subscribe((message) => {
        queue.push(message);
        wake?.();
      });
      const end = () => {
        unsubscribe();
        wake?.();
      };
      stream.onAbort(end);
      deps.signal.addEventListener("abort", end, { once: true });
      await stream.writeSSE({ event: "boot", data: deps.bootId });
      try {
        while (!stream.aborted && !stream.closed && !deps.signal.aborted) {
          const message = queue.shift();
          if (message) {
            await stream.writeSSE({ event: message.event, data: message.data });
            continue;
          }
          let timer: ReturnType<typeof setTimeout> | undefined;
          await new Promise<void>((resolve) => {
            wake = resolve;
            timer = setTimeout(resolve, 20_000);
          });
          clearTimeout(timer);
          wake = undefined;
          if (queue.length === 0 && !stream.aborted) await stream.write(": ping\n\n");
        }
      } finally {
        deps.signal.removeEventListener("abort", end);
        unsubscribe();
      }
    }));
}
