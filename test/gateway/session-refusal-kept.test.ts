/**
 * A model's refusal is part of the conversation: the session keeps it, so the next turn reaches the
 * cloud with the refusal where a client resending the whole history would have it (not an empty
 * assistant message), and a local model reads it as the assistant's text. Streamed or not.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestGateway, testModelsYaml, type TestGateway } from "../support/gateway.js";
import { startRawUpstream, type RawUpstream } from "../support/raw-upstream.js";

const REFUSAL = "I can't help with that.";
let upstream: RawUpstream;
let gw: TestGateway;
const seen: { messages: Record<string, unknown>[] }[] = [];

beforeAll(async () => {
  upstream = await startRawUpstream((body, res) => {
    const request = JSON.parse(body) as { stream?: boolean; messages: Record<string, unknown>[] };
    seen.push(request);
    const refuses = request.messages.at(-1)?.content === "bad request";
    if (!request.stream) {
      res.writeHead(200, { "content-type": "application/json" });
      const message = refuses ? { role: "assistant", content: null, refusal: REFUSAL } : { role: "assistant", content: "Because.", refusal: null };
      return res.end(JSON.stringify({ id: "c1", object: "chat.completion", created: 1, model: "m", choices: [{ index: 0, message, finish_reason: "stop" }], usage: { prompt_tokens: 5, completion_tokens: 5, total_tokens: 10 } }));
    }
    res.writeHead(200, { "content-type": "text/event-stream" });
    const chunk = (delta: object, finish: string | null) =>
      `data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
    const pieces = refuses ? [{ role: "assistant", refusal: "I can't " }, { refusal: "help with that." }] : [{ role: "assistant", content: "Because." }];
    res.end(pieces.map((d) => chunk(d, null)).join("") + chunk({}, "stop") + "data: [DONE]\n\n");
  });
  gw = await startTestGateway({ modelsYaml: testModelsYaml({ cloudBaseURL: upstream.baseURL, maxRetries: 0 }), waitForModels: false });
});
afterAll(async () => {
  await gw?.close();
  await upstream?.close();
});

async function chat(session: string, content: string, stream: boolean) {
  const response = await fetch(`${gw.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-session-id": session },
    body: JSON.stringify({ model: "fake-gpt", stream, messages: [{ role: "user", content }] }),
  });
  expect(response.status).toBe(200);
  await response.text();
}

describe.each([false, true])("a refusal in a session (stream: %s)", (stream) => {
  it("reaches the next turn as the refusal, not as an empty answer", async () => {
    const session = `refusal-${randomUUID()}`;
    await chat(session, "bad request", stream);
    await chat(session, "why?", stream);
    const [, refused] = seen.at(-1)!.messages;
    expect(refused).toMatchObject({ role: "assistant", refusal: REFUSAL });
    expect(refused!.content ?? null).toBeNull();

    const read = (await (await fetch(`${gw.url}/v1/sessions/${session}`)).json()) as { messages: Record<string, unknown>[] };
    expect(read.messages[1]).toMatchObject({ role: "assistant", refusal: REFUSAL });
  });
});
