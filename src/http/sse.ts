/**
 * Serialises a chunk stream as OpenAI's server-sent events: one `data: {json}` frame per chunk, then
 * `data: [DONE]`. Pull-based, so a slow client slows the producer instead of buffering the answer,
 * and cancelling (client gone) stops the producer.
 */
import { asGatewayError } from "../errors.js";
import type { ChatCompletionChunk, ChunkStream } from "../providers/types.js";

const encoder = new TextEncoder();
const DONE = encoder.encode("data: [DONE]\n\n");

export interface SseOptions {
  /** Forward the usage-only chunk (the client set `stream_options.include_usage`). */
  includeUsage: boolean;
  /** Called once when the stream ends, fails or is cancelled. */
  onEnd?(outcome: { error?: unknown; cancelled?: boolean }): void;
}

export function sseStream(chunks: ChunkStream, options: SseOptions): ReadableStream<Uint8Array> {
  const iterator = chunks[Symbol.asyncIterator]();
  let ended = false;
  const end = (outcome: { error?: unknown; cancelled?: boolean }) => {
    if (ended) return;
    ended = true;
    options.onEnd?.(outcome);
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        for (;;) {
          const next = await iterator.next();
          if (next.done) {
            controller.enqueue(DONE);
            controller.close();
            end({});
            return;
          }
          const chunk = present(next.value, options.includeUsage);
          if (chunk) {
            controller.enqueue(encoder.encode(`data: ${JSON.stringify(chunk)}\n\n`));
            return;
          }
        }
      } catch (error) {
        // Headers are gone already: the failure travels as an error event the OpenAI SDK raises.
        controller.enqueue(encoder.encode(`data: ${JSON.stringify(asGatewayError(error).toJSON())}\n\n`));
        controller.close();
        end({ error });
      }
    },
    async cancel() {
      end({ cancelled: true });
      await iterator.return?.();
    },
  });
}

function present(chunk: ChatCompletionChunk, includeUsage: boolean): ChatCompletionChunk | undefined {
  if (includeUsage) return chunk;
  if (chunk.choices.length === 0 && chunk.usage) return undefined;
  if (chunk.usage !== undefined) {
    const { usage: _usage, ...rest } = chunk;
    return rest;
  }
  return chunk;
}
