/**
 * @module
 * Live updates to open pages. Every page holds one Server-Sent Events stream
 * (`/events`, opened by the layout); anything that changes shared state
 * publishes a named event here and pages that show that state refetch their
 * fragment (`hx-trigger="tasks:changed from:body"`). One stream per page keeps
 * us far from the browser's six-connections-per-host limit.
 */

/** One message on the stream. */
export interface LiveMessage {
  /** Event name: pages listen for it as a DOM event on `<body>`. */
  event: string;
  /** Payload; plain text or HTML, never executed. */
  data: string;
}

/** The broadcaster every module receives as `deps.live`. */
export interface Live {
  /** Send `event` to every open page. */
  publish(event: string, data?: string): void;
  /** Receive every published message; returns the function that stops it. */
  subscribe(send: (message: LiveMessage) => void): () => void;
  /** How many pages are listening. */
  size(): number;
}

/** Create the broadcaster. */
export function createLive(): Live {
  const subscribers = new Set<(message: LiveMessage) => void>();
  return {
    publish(event, data = "") {
      for (const send of subscribers) {
        try {
          send({ event, data });
        } catch {
          subscribers.delete(send);
        }
      }
    },
    subscribe(send) {
      subscribers.add(send);
      return function unsubscribe() {
        subscribers.delete(send);
      };
    },
    size() {
      return subscribers.size;
    },
  };
}
