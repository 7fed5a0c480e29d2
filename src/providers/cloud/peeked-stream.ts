/**
 * A stream whose first chunk was read before it was handed on (the provider reads it to know the
 * answer has started), put back in front of the rest.
 */
import type { ChatCompletionChunk, ChunkStream } from "../types.js";

/**
 * Yields `first`, then `rest`. `failure` turns what `rest` throws into the error to raise (releasing
 * the upstream too); `release` lets go of the upstream request: with `true` when the stream was read
to its end, `false` when it is left early.
 * An iterator object rather than a generator: `return()` on a generator that never started runs none
 * of its body, and a stream abandoned before its first read (the client left while the answer was
 * prepared) must still end the upstream request, which the peek has started reading.
 *
 * @example
 * const first = await events.next();
 * if (!first.done) return peekedStream(first.value, events, (e) => mapUpstreamError(e, id), (answered) => (answered ? drain(body) : body.destroy()));
 */
export function peekedStream(
  first: ChatCompletionChunk,
  rest: AsyncGenerator<ChatCompletionChunk>,
  failure: (error: unknown) => Error,
  release: (answered: boolean) => void,
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
        if (next.done) release(true);
        return next;
      } catch (error) {
        throw failure(error);
      }
    },
    async return() {
      pending = undefined;
      release(false);
      await rest.return(undefined);
      return { done: true, value: undefined };
    },
  };
  return { [Symbol.asyncIterator]: () => iterator };
}
