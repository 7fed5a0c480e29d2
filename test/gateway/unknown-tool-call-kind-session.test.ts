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

async function chat(session: string, content: string, stream: boolean): Promise<string> {
  const response = await fetch(`${cloud.gw.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-session-id": session },
    body: JSON.stringify({ model: "fake-gpt", stream, messages: [{ role: "user", content }] }),
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
