/**
 * @module
 * The local LLM through `npm:ollama`: streaming chat with a stall timeout and
 * an abort signal, the model list, and a health check. Every failure becomes
 * an {@linkcode LlmError} whose message tells a person what to do.
 */

import { Ollama } from "ollama";

/** One message of a conversation, as Ollama takes it. */
export interface LlmMessage {
  role: "system" | "user" | "assistant" | "tool";
  content: string;
}

/** A tool call the model made (Ollama's function calling). */
export interface ToolCall {
  name: string;
  arguments: unknown;
}

/** A piece of a streamed answer. */
export type Chunk = { text: string } | { tool: ToolCall };

/** A tool the model may call, in Ollama's JSON-schema form. */
export interface ToolSpec {
  type: "function";
  function: { name: string; description: string; parameters: Record<string, unknown> };
}

/** Why an answer failed, in words for the chat. */
export class LlmError extends Error {
  override name = "LlmError";
}

/** What the rest of Cardflow uses. */
export interface Llm {
  readonly host: string;
  /** Stream an answer; throws {@linkcode LlmError}. */
  chat(
    model: string,
    messages: LlmMessage[],
    options?: { signal?: AbortSignal; tools?: ToolSpec[] },
  ): AsyncIterable<Chunk>;
  /** Names of the models the server has. */
  models(): Promise<string[]>;
  /** Whether the server answers. */
  healthy(): Promise<boolean>;
}

/** Options for {@linkcode createLlm}. */
export interface LlmOptions {
  host: string;
  /** Stop an answer that sends nothing for this long, in ms. */
  stallMs: number;
}

function explain(error: unknown, host: string, model: string): LlmError {
  if (error instanceof LlmError) return error;
  const e = error as { name?: string; message?: string; status_code?: number };
  const message = e.message ?? String(error);
  if (e.name === "AbortError") return new LlmError("Stopped.");
  if (e.status_code === 404 || /not found/i.test(message) && /model/i.test(message)) {
    return new LlmError(
      `The model "${model}" is not on the Ollama server. Pull it with: ollama pull ${model}`,
    );
  }
  if (e.status_code) {
    return new LlmError(`Ollama answered with an error (${e.status_code}): ${message}`);
  }
  if (/did not receive done/i.test(message)) {
    return new LlmError(
      "The answer was cut off: Ollama closed the stream early or sent something unreadable.",
    );
  }
  if (error instanceof SyntaxError || /JSON/i.test(message)) {
    return new LlmError("Ollama sent something Cardflow could not read; the answer stopped there.");
  }
  return new LlmError(
    `Ollama is not answering at ${host}. Is it running? (start it with: ollama serve)`,
  );
}

/** Connect to the Ollama server at `options.host`. */
export function createLlm(options: LlmOptions): Llm {
  const client = new Ollama({ host: options.host });
  return {
    host: options.host,
    async *chat(model, messages, { signal, tools } = {}) {
      let stream;
      try {
        stream = await client.chat({ model, messages, stream: true, tools });
      } catch (error) {
        throw explain(error, options.host, model);
      }
      const onAbort = () => stream.abort();
      signal?.addEventListener("abort", onAbort, { once: true });
      const iterator = stream[Symbol.asyncIterator]();
      try {
        while (true) {
          let timer: ReturnType<typeof setTimeout> | undefined;
          const stalled = new Promise<never>((_, reject) => {
            timer = setTimeout(() => {
              stream.abort();
              reject(
                new LlmError(
                  `Ollama stopped sending for ${
                    Math.round(options.stallMs / 1000)
                  } s; the answer was stopped.`,
                ),
              );
            }, options.stallMs);
          });
          let step;
          try {
            step = await Promise.race([iterator.next(), stalled]);
          } finally {
            clearTimeout(timer);
          }
          if (step.done) return;
          const part = step.value;
          if (part.message?.content) yield { text: part.message.content };
          for (const call of part.message?.tool_calls ?? []) {
            yield { tool: { name: call.function.name, arguments: call.function.arguments } };
          }
        }
      } catch (error) {
        if (signal?.aborted) throw new LlmError("Stopped.");
        throw explain(error, options.host, model);
      } finally {
        signal?.removeEventListener("abort", onAbort);
      }
    },
    async models() {
      try {
        return (await client.list()).models.map((m) => m.name).sort();
      } catch (error) {
        throw explain(error, options.host, "");
      }
    },
    async healthy() {
      try {
        await client.list();
        return true;
      } catch {
        return false;
      }
    },
  };
}
