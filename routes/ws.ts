/**
 * @module
 * `/ws`: the chat socket. Each page joins the hub; frames from the page are
 * questions or "stop"; frames to the page are htmx swaps. Foreign origins
 * never get here: the security guard refuses their upgrade.
 */

import { Hono } from "hono";
import { upgradeWebSocket } from "hono/deno";
import type { Deps } from "@/lib/deps.ts";

/** Frames larger than this are ignored (a message is at most 8,000 characters). */
const MAX_FRAME = 64 * 1024;

/** The chat socket. */
export default function ws(deps: Deps): Hono {
  return new Hono().get(
    "/",
    upgradeWebSocket(() => {
      let leave: (() => void) | undefined;
      let onStop: (() => void) | undefined;
      return {
        onOpen(_event, socket) {
          leave = deps.chat.join({ send: (data) => socket.send(data) });
          onStop = () => socket.close(1001, "Cardflow is stopping");
          deps.signal.addEventListener("abort", onStop, { once: true });
        },
        onMessage(event) {
          if (typeof event.data !== "string" || event.data.length > MAX_FRAME) return;
          deps.chat.receive(event.data).catch((error) =>
            deps.log.error("chat message failed", error)
          );
        },
        onClose() {
          leave?.();
          if (onStop) deps.signal.removeEventListener("abort", onStop);
        },
      };
    }),
  );
}
