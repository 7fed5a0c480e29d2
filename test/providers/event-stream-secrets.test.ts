/**
 * Upstream events that quote the provider's key in an error the gateway builds from them: the error
 * the client and the logs get says [redacted] in its place.
 */
import { describe, expect, it } from "vitest";
import { readEventStream } from "../../src/providers/cloud/event-stream.js";

const KEY = "sk-provider-key-123";

async function failureOf(events: string): Promise<Error & { error?: unknown }> {
  try {
    for await (const _chunk of readEventStream([Buffer.from(events)], new Headers(), { secrets: [KEY] })) {
      // read to the failure
    }
  } catch (error) {
    return error as Error & { error?: unknown };
  }
  throw new Error("the stream did not fail");
}

describe("an event stream read with the provider's key as a secret", () => {
  it("an event with the key in a top-level message (not OpenAI's error shape) fails without it", async () => {
    const error = await failureOf(`event: error\ndata: ${JSON.stringify({ message: `bad header x-api-key: ${KEY}` })}\n\n`);
    expect(error.message).toContain("x-api-key: [redacted]");
    expect(error.message).not.toContain(KEY);
  });

  it("an error object with the key outside its message (no message, a nested field) fails without it anywhere", async () => {
    const error = await failureOf(`data: ${JSON.stringify({ error: { type: "server_error", request: { headers: { authorization: `Bearer ${KEY}` }, [KEY]: 1 } } })}\n\n`);
    expect(JSON.stringify(error.error)).toContain("Bearer [redacted]");
    expect(JSON.stringify(error.error)).not.toContain(KEY);
    expect(error.message).not.toContain(KEY);
  });
});
