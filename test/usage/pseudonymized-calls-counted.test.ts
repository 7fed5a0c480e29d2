/**
 * An answer the gateway counts itself (the upstream sent no usage) is counted part by part: its text,
 * then each tool call's name and input, each rounded up to whole tokens. A pseudonymized request's
 * answer is counted as the model wrote it (placeholders, not the restored values), and that count
 * once read the whole answer as one text: an answer with text and calls came out a token or so below
 * the same answer to a request without personal data. Both now count the same parts the same way.
 */
import { describe, expect, it } from "vitest";
import { estimateTokens } from "../../src/api/token-estimate.js";
import { NO_FALLBACK_ROUTING, testModelsYaml, upstreamGateway } from "../support/gateway.js";
import { chunkFrame, startRawUpstream } from "../support/raw-upstream.js";
import { apiKeysEnv, usageRecords } from "../support/usage-api.js";

const KEYS = { plainWhole: "sk-calls-plain-whole-0123456789", pseudoWhole: "sk-calls-pseudo-whole-0123456789", plainStream: "sk-calls-plain-stream-0123456789", pseudoStream: "sk-calls-pseudo-stream-0123456789" };
const BASE = { id: "chatcmpl-calls", created: 1_700_000_000, model: "upstream-gpt" };

// Lengths whose quarter tokens do not add up to whole tokens: counted apart they take 4 + 7 + 5
// tokens, as one text 15.
const CONTENT = "Let me check.";
const CALLS = [
  { id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
  { id: "call_2", type: "function", function: { name: "get_time", arguments: '{"tz":"CET"}' } },
];
// A call kind the SDK does not know yet: passed on as it came, and not counted (no text we know where to find).
const MCP_CALL = { id: "call_3", type: "mcp_call", mcp: { name: "lookup", input: "{}" } };
const COUNTED_APART = estimateTokens(CONTENT) + CALLS.reduce((sum, call) => sum + estimateTokens(call.function.name + call.function.arguments), 0);

const cloud = upstreamGateway(
  () =>
    startRawUpstream((raw, res) => {
      const sent = JSON.parse(raw) as { stream?: boolean; messages: { content: string }[] };
      if (!sent.stream) {
        res.writeHead(200, { "content-type": "application/json" });
        const unknownKind = sent.messages.some((m) => m.content.includes("MCP"));
        const message = { role: "assistant", content: CONTENT, refusal: null, tool_calls: unknownKind ? [...CALLS, MCP_CALL] : CALLS };
        return res.end(JSON.stringify({ ...BASE, object: "chat.completion", choices: [{ index: 0, message, finish_reason: "tool_calls", logprobs: null }] }));
      }
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write(chunkFrame(BASE, { role: "assistant", content: CONTENT }, null));
      CALLS.forEach((call, index) => {
        res.write(chunkFrame(BASE, { tool_calls: [{ index, id: call.id, type: "function", function: { name: call.function.name, arguments: "" } }] }, null));
        res.write(chunkFrame(BASE, { tool_calls: [{ index, function: { arguments: call.function.arguments } }] }, null));
      });
      res.write(chunkFrame(BASE, {}, "tool_calls"));
      res.end("data: [DONE]\n\n");
    }),
  {
    modelsYaml: (raw) => testModelsYaml({ cloudBaseURL: raw.baseURL, maxRetries: 0 }),
    gateway: { files: { "routing.yaml": NO_FALLBACK_ROUTING }, env: { SWITCHYARD_API_KEYS: apiKeysEnv(KEYS) }, waitForModels: false },
  },
);

const TOOLS = [
  { type: "function" as const, function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } } },
  { type: "function" as const, function: { name: "get_time", parameters: { type: "object", properties: { tz: { type: "string" } } } } },
];
const plain = { model: "fake-gpt", tools: TOOLS, messages: [{ role: "user" as const, content: "Weather and time in Paris?" }] };
// The address is pseudonymized for the cloud: the answer is then counted as the model wrote it.
const pseudonymized = { ...plain, messages: [{ role: "user" as const, content: "Weather and time in Paris? Mail them to ada.lovelace@example.com." }] };

async function completionTokens(key: string, body: typeof plain, stream: boolean): Promise<number> {
  const client = cloud.gw.client({ apiKey: key });
  if (stream) {
    for await (const _ of await client.chat.completions.create({ ...body, stream: true })) void _;
  } else {
    await client.chat.completions.create(body);
  }
  const [record] = await usageRecords(cloud.gw.url, key, 1);
  return Number(record!.completion_tokens);
}

describe("an answer with text and tool calls, counted by the gateway", () => {
  it.each([false, true])("counts its text and each call apart, pseudonymized or not (stream: %s)", async (stream) => {
    const keys = stream ? [KEYS.plainStream, KEYS.pseudoStream] : [KEYS.plainWhole, KEYS.pseudoWhole];
    expect(await completionTokens(keys[0]!, plain, stream)).toBe(COUNTED_APART);
    expect(await completionTokens(keys[1]!, pseudonymized, stream)).toBe(COUNTED_APART);
  });
});

describe("an answer with a tool call of a kind the SDK does not know yet", () => {
  it("is passed on as it came when the request was pseudonymized, not a 500", async () => {
    const client = cloud.gw.client({ apiKey: KEYS.pseudoWhole });
    const body = { ...pseudonymized, messages: [{ role: "user" as const, content: "Ask the MCP server, then mail ada.lovelace@example.com." }] };
    const answer = await client.chat.completions.create(body);
    expect(answer.choices[0]!.message.tool_calls).toEqual([...CALLS, MCP_CALL]);
    const [record] = await usageRecords(cloud.gw.url, KEYS.pseudoWhole, 1);
    expect(Number(record!.completion_tokens)).toBe(COUNTED_APART);
  });
});
