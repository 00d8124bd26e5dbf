/**
 * @module
 * A small typed publish/subscribe bus. Listeners run after the current task,
 * each in its own try/catch, so emitting never slows or fails the request that
 * caused the event (the pipeline's chat commentary relies on this).
 */

import type { Logger } from "./log.ts";

/** A listener; its errors are logged, never thrown at the emitter. */
export type Listener<T> = (payload: T) => void | Promise<void>;

/** A typed bus over an event map such as `{ "pipeline": PipelineEvent }`. */
export interface Bus<Events> {
  /**
   * Subscribe; returns the function that unsubscribes. With a `signal`, the
   * listener also goes when it aborts (a database that was switched away).
   */
  on<K extends keyof Events>(
    type: K,
    listener: Listener<Events[K]>,
    options?: { signal?: AbortSignal },
  ): () => void;
  /** Queue `payload` for every listener of `type`; returns at once. */
  emit<K extends keyof Events>(type: K, payload: Events[K]): void;
  /** How many listeners `type` has (tests, diagnostics). */
  count<K extends keyof Events>(type: K): number;
  /** Resolves once every emitted event and the listeners' promises have settled. */
  idle(): Promise<void>;
}

/** Create a bus; `log` receives listener failures. */
export function createBus<Events>(log?: Logger): Bus<Events> {
  const listeners = new Map<keyof Events, Set<Listener<never>>>();
  const inFlight = new Set<Promise<unknown>>();

  function track(promise: Promise<unknown>, type: keyof Events): void {
    const tracked = promise.catch((error) =>
      log?.error(`listener for "${String(type)}" failed`, error)
    ).finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
  }

  return {
    on(type, listener, options = {}) {
      let set = listeners.get(type);
      if (!set) listeners.set(type, set = new Set());
      const entry = listener as Listener<never>;
      const unsubscribe = () => set.delete(entry);
      if (options.signal?.aborted) return unsubscribe;
      set.add(entry);
      options.signal?.addEventListener("abort", unsubscribe, { once: true });
      return unsubscribe;
    },
    emit(type, payload) {
      const set = listeners.get(type);
      if (!set || set.size === 0) return;
      const targets = [...set] as Listener<typeof payload>[];
      // A macrotask, so the response is on its way before any listener runs.
      track(
        new Promise<void>((resolve) =>
          setTimeout(() => {
            for (const listener of targets) {
              try {
                const result = listener(payload);
                if (result instanceof Promise) track(result, type);
              } catch (error) {
                log?.error(`listener for "${String(type)}" failed`, error);
              }
            }
            resolve();
          }, 0)
        ),
        type,
      );
    },
    count(type) {
      return listeners.get(type)?.size ?? 0;
    },
    async idle() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  };
}
