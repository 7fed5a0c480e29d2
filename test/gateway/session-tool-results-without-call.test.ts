/**
 * A client sends only its tool results, but the session no longer holds the call they answer: it was
 * erased, it expired, or the gateway restarted on the in-memory store between the call and its
 * results. A result without its call cannot be sent to any provider, and it was left out silently:
 * the model was called with no message at all (or only the instructions) and its answer to nothing
 * was returned and stored. Now that request is refused with a 400 naming the result, nothing is
 * called or stored, and the client can resend the history. Memory and Redis.
 */
import { randomUUID } from "node:crypto";
import type { ServerResponse } from "node:http";
import { describe, expect, it } from "vitest";
import { testModelsYaml, upstreamGateway } from "../support/gateway.js";
import { startRawUpstream } from "../support/raw-upstream.js";
import { sessionBackends } from "../support/session-chat.js";

const BASE = { id: "chatcmpl-tools", created: 1_700_000_000, model: "upstream-gpt" };
const CALL = { id: "call_weather_1", type: "function", function: { name: "weather", arguments: '{"city":"Oslo"}' } };
const TOOLS = [{ type: "function" as const, function: { name: "weather", parameters: { type: "object", properties: { city: { type: "string" } } } } }];

/** Calls the weather tool when offered tools and not yet answered by its result; answers in text otherwise. */
function toolUpstream() {
  const received: { messages: { role: string }[] }[] = [];
  const start = () =>
    startRawUpstream((raw, res: ServerResponse) => {
      const body = JSON.parse(raw) as { messages: { role: string }[] };
      received.push(body);
      const answered = body.messages.at(-1)?.role === "tool";
      const message = answered ? { role: "assistant", content: "It is cold in Oslo." } : { role: "assistant", content: null, tool_calls: [CALL] };
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ ...BASE, object: "chat.completion", choices: [{ index: 0, message, finish_reason: answered ? "stop" : "tool_calls" }], usage: { prompt_tokens: 5, completion_tokens: 4, total_tokens: 9 } }));
    });
  return { received, start };
}

describe.each(sessionBackends())("tool results whose call the session no longer holds ($backend store)", ({ env }) => {
  const upstream = toolUpstream();
  const cloud = upstreamGateway(upstream.start, {
    modelsYaml: (u) => testModelsYaml({ cloudBaseURL: u.baseURL, maxRetries: 0 }),
    gateway: { env, waitForModels: false },
  });
  const chat = (session: string, messages: object[]) =>
    fetch(`${cloud.gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-session-id": session },
      body: JSON.stringify({ model: "cloud", tools: TOOLS, messages }),
    });
  const result = { role: "tool", tool_call_id: CALL.id, content: "-3 °C" };

  it("are refused with a 400 naming the result, and nothing is called or stored", async () => {
    const session = `results-${randomUUID()}`;
    const call = await chat(session, [{ role: "user", content: "Weather in Oslo?" }]);
    expect(call.status).toBe(200);
    expect(((await call.json()) as { choices: { message: { tool_calls?: unknown[] } }[] }).choices[0]!.message.tool_calls).toHaveLength(1);
    await expect.poll(async () => (await fetch(`${cloud.gw.url}/v1/sessions/${session}`)).status).toBe(200);
    expect((await fetch(`${cloud.gw.url}/v1/sessions/${session}`, { method: "DELETE" })).status).toBe(200);

    const calls = upstream.received.length;
    const response = await chat(session, [result]);
    const body = (await response.json()) as { error: { code: string; param: string; message: string } };
    expect(response.status).toBe(400);
    expect(body.error.param).toBe("messages[0]");
    expect(body.error.message).toContain(CALL.id);
    expect(upstream.received.length, "no model is called with an empty conversation").toBe(calls);
    expect((await fetch(`${cloud.gw.url}/v1/sessions/${session}`)).status, "nothing is stored").toBe(404);
  });

  it("are answered when resent with the history that holds their call", async () => {
    const session = `resent-${randomUUID()}`;
    const response = await chat(session, [{ role: "user", content: "Weather in Oslo?" }, { role: "assistant", content: null, tool_calls: [CALL] }, result]);
    expect(response.status).toBe(200);
    expect(upstream.received.at(-1)!.messages.map((m) => m.role)).toEqual(["user", "assistant", "tool"]);
  });
});
