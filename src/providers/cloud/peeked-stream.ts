/**
 * A stream whose first chunk was read before it was handed on (the provider reads it to know the
 * answer has started), put back in front of the rest.
 */
import type { ChatCompletionChunk, ChunkStream } from "../types.js";

/**
 * Yields `first`, then `rest`. `failure` turns what `rest` throws into the error to raise (releasing
 * the upstream too); `release` ends the upstream request, and runs when the stream ends or is left.
 * An iterator object rather than a generator: `return()` on a generator that never started runs none
 * of its body, and a stream abandoned before its first read (the client left while the answer was
 * prepared) must still end the upstream request, which the peek has started reading.
 *
 * @example
 * const first = await events.next();
 * if (!first.done) return peekedStream(first.value, events, (e) => mapUpstreamError(e, id), () => body.destroy());
 */
export function peekedStream(
  first: ChatCompletionChunk,
  rest: AsyncGenerator<ChatCompletionChunk>,
  failure: (error: unknown) => Error,
  release: () => void,
): ChunkStream {
  let pending: ChatCompletionChunk | undefined = first;
  const iterator: AsyncIterator<ChatCompletionChunk> = {
    async next() {
      if (pending) {
        const value = pending;
        pending = undefined;
        return { done: false, value };
      }
      try {
        const next = await rest.next();
        if (next.done) release();
        return next;
      } catch (error) {
        throw failure(error);
      }
    },
    async return() {
      pending = undefined;
      release();
      await rest.return(undefined);
      return { done: true, value: undefined };
    },
  };
  return { [Symbol.asyncIterator]: () => iterator };
}
