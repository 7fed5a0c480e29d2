/**
 * A tool call of a kind the SDK does not know yet (an upstream's `mcp_call`) is passed on to the client
 * as it came and kept out of the session, streamed or not. Streamed, it was stored as an empty function
 * call (`{"type":"function","function":{"name":"","arguments":""}}`), which the session's next request
 * then sent upstream as the assistant's turn.
 */
import { describe, expect, it } from "vitest";
import { NO_FALLBACK_ROUTING, testModelsYaml, upstreamGateway } from "../support/gateway.js";
import { chunkFrame, startRawUpstream } from "../support/raw-upstream.js";

const BASE = { id: "chatcmpl-mcp", created: 1_700_000_000, model: "upstream-gpt" };
const MCP_CALL = { id: "call_mcp", type: "mcp_call", mcp: { server: "docs", name: "lookup", input: "{}" } };
// A function call from a server that leaves `type` out and adds a vendor field (Gemini's).
const VENDOR_CALL = { id: "call_fn", function: { name: "get_weather", arguments: '{"unit":"celsius"}' }, extra_content: { google: { thought_signature: "c2ln" } } };
const received: { messages: { role: string; content?: unknown; tool_calls?: unknown }[] }[] = [];

const cloud = upstreamGateway(
  () =>
    startRawUpstream((raw, res) => {
      const sent = JSON.parse(raw) as { stream?: boolean; messages: { role: string }[] };
      received.push(sent);
      if (!sent.stream) {
        res.writeHead(200, { "content-type": "application/json" });
        const message = { role: "assistant", content: "Looked it up.", refusal: null, tool_calls: [MCP_CALL] };
        return res.end(JSON.stringify({ ...BASE, object: "chat.completion", choices: [{ index: 0, message, finish_reason: "stop", logprobs: null }] }));
      }
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write(chunkFrame(BASE, { role: "assistant", content: "Looked it up." }, null));
      // A server that leaves `type` out of the first piece: the call's own field says its kind.
      const { type: _type, ...untyped } = MCP_CALL;
      const first = JSON.stringify(sent.messages[0]);
      if (first.includes("weather")) {
        // Some servers send the type null (a vLLM version) rather than leave it out.
        const call = first.includes("null type") ? { ...VENDOR_CALL, type: null } : VENDOR_CALL;
        res.write(chunkFrame(BASE, { role: "assistant", content: null }, null));
        res.write(chunkFrame(BASE, { tool_calls: [{ index: 0, ...call }] }, null));
        res.write(chunkFrame(BASE, {}, "tool_calls"));
        return res.end("data: [DONE]\n\n");
      }
      const leavesTypeOut = JSON.stringify(sent.messages[0]).includes("untyped");
      res.write(chunkFrame(BASE, { tool_calls: [{ index: 0, ...(leavesTypeOut ? untyped : MCP_CALL) }] }, null));
      res.write(chunkFrame(BASE, {}, "stop"));
      res.end("data: [DONE]\n\n");
    }),
  {
    modelsYaml: (raw) => testModelsYaml({ cloudBaseURL: raw.baseURL, maxRetries: 0 }),
    gateway: { files: { "routing.yaml": NO_FALLBACK_ROUTING }, waitForModels: false },
  },
);

async function chat(session: string, content: string | object[], stream: boolean): Promise<string> {
  const messages = typeof content === "string" ? [{ role: "user", content }] : content;
  const response = await fetch(`${cloud.gw.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-session-id": session },
    body: JSON.stringify({ model: "fake-gpt", stream, messages }),
  });
  const text = await response.text();
  expect(response.status, text).toBe(200);
  return text;
}

describe("a tool call of a kind the SDK does not know yet", () => {
  it.each([
    ["whole", false, "Look it up."],
    ["streamed", true, "Look it up."],
    ["streamed without its type", true, "Look it up (untyped)."],
  ])("reaches the client and stays out of the session (%s)", async (name, stream, question) => {
    const session = `mcp-${name.replaceAll(" ", "-")}`;
    const answer = await chat(session, question, stream);
    expect(answer).toContain('"mcp":');
    await chat(session, "Thanks.", false);
    const history = received.at(-1)!.messages;
    expect(history.map((m) => m.role)).toEqual(["user", "assistant", "user"]);
    expect(history[1]).toMatchObject({ role: "assistant", content: "Looked it up." });
    expect(history[1]!.tool_calls).toBeUndefined();
  });
});

describe("a streamed function call without its type, with a vendor field beside it", () => {
  it.each([
    ["left out", "What is the weather?"],
    ["null", "What is the weather (null type)?"],
  ])("is kept in the session as the function call it is (type %s)", async (name, question) => {
    const session = `vendor-call-${name.replace(" ", "-")}`;
    await chat(session, question, true);
    await chat(session, [{ role: "tool", tool_call_id: "call_fn", content: "Sunny, 21 °C." }], false);
    const history = received.at(-1)!.messages;
    expect(history.map((m) => m.role)).toEqual(["user", "assistant", "tool"]);
    expect(history[1]!.tool_calls).toMatchObject([{ id: "call_fn", type: "function", function: { name: "get_weather", arguments: '{"unit":"celsius"}' } }]);
  });
});
