/**
 * How a stream ended, for the access log, when its producer hears of the client leaving (the request's
 * signal) before the writer's own "close" listener does: `client_gone`, not the client-closed error's code.
 * And only then: an upstream's error event mid-answer may carry the code `client_closed_request` (its own
 * client left) while ours is still there and reads the error frame; that was logged `client_gone` too.
 */
import { APIError } from "openai";
import { describe, expect, it } from "vitest";
import { clientClosed } from "../../src/errors.js";
import { mapUpstreamError } from "../../src/providers/cloud/upstream-errors.js";
import type { ChatCompletionChunk } from "../../src/providers/types.js";
import { sseSocketServer } from "./sse-socket.js";

describe("writeSse: a stream ended because its client left", () => {
  const { serve } = sseSocketServer();
  const chunk = (content: string): ChatCompletionChunk =>
    ({ id: "c", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta: { content }, finish_reason: null, logprobs: null }] }) as ChatCompletionChunk;
  it("is logged client_gone, not the client_closed_request code, when the producer stops with clientClosed() before res 'close' is heard", async () => {
    // RequestSignals aborts with clientClosed() from the socket's own 'close' (pipelined responses), and
    // the provider rethrows abortReason(signal), which can come before the writer hears of it.
    const { end } = await serve(async function* () {
      yield chunk("hi");
      throw clientClosed();
    }, 0);
    expect(end).toBe("client_gone");
  });

  it("is logged by the error's code, not client_gone, when an upstream error event mid-answer carries client_closed_request", async () => {
    const upstream = new APIError(undefined, { code: "client_closed_request", message: "upstream's client went away" }, "upstream's client went away", undefined);
    const { end, body } = await serve(async function* () {
      yield chunk("hi");
      throw mapUpstreamError(upstream, "openai", { answerStarted: true });
    }, 0);
    expect(body).toContain('"code":"client_closed_request"');
    expect(end).toBe("client_closed_request");
  });
});
