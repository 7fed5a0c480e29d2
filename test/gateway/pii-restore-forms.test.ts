/**
 * Placeholders come back restored in the forms a model may repeat them in, not only as the gateway
 * wrote them: tool-call arguments whose JSON escapes the brackets (`\u003cEMAIL_ADDRESS_1\u003e`), and
 * a message name's bracket-less alias (`PERSON_1`), whole or streamed in pieces that split them. A
 * bare alias the request did not hand out stays as the model wrote it.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NO_FALLBACK_ROUTING, startTestGateway, testModelsYaml, type TestGateway } from "../support/gateway.js";

type Body = { messages: Array<{ role: string; content?: unknown; name?: string }>; stream?: boolean };
/** The answer as a whole completion's message, or as the deltas of a stream. */
type Reply = { message: Record<string, unknown> } | { deltas: Array<Record<string, unknown>> };

/** A cloud upstream whose answer the test writes from the request the gateway sent. */
interface ScriptedUpstream {
  baseURL: string;
  reply: (body: Body) => Reply;
  close(): Promise<void>;
}

async function startScriptedUpstream(): Promise<ScriptedUpstream> {
  const upstream = { reply: (): Reply => ({ message: { role: "assistant", content: "ok" } }) } as unknown as ScriptedUpstream;
  const server: Server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on("data", (chunk: Buffer) => parts.push(chunk));
    req.on("end", () => {
      const body = JSON.parse(Buffer.concat(parts).toString("utf8")) as Body;
      const reply = upstream.reply(body);
      const base = { id: "chatcmpl-forms", created: 1_700_000_000, model: "upstream-gpt" };
      if ("message" in reply) {
        const choice = { index: 0, message: { refusal: null, ...reply.message }, finish_reason: "stop", logprobs: null };
        res.writeHead(200, { "content-type": "application/json" });
        return res.end(JSON.stringify({ ...base, object: "chat.completion", choices: [choice], usage: { prompt_tokens: 5, completion_tokens: 5, total_tokens: 10 } }));
      }
      res.writeHead(200, { "content-type": "text/event-stream" });
      const frame = (delta: object, finish: string | null) =>
        `data: ${JSON.stringify({ ...base, object: "chat.completion.chunk", choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }] })}\n\n`;
      for (const delta of reply.deltas) res.write(frame(delta, null));
      res.write(frame({}, "stop"));
      res.end("data: [DONE]\n\n");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  upstream.baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  upstream.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return upstream;
}

const EMAIL = "maria.gonzalez@example.com";
const SEND_TOOL = { type: "function", function: { name: "send", parameters: { type: "object", properties: { to: { type: "string" } } } } };

let upstream: ScriptedUpstream;
let gw: TestGateway;

beforeAll(async () => {
  upstream = await startScriptedUpstream();
  gw = await startTestGateway({
    modelsYaml: testModelsYaml({ cloudBaseURL: upstream.baseURL, maxRetries: 0 }),
    files: { "routing.yaml": NO_FALLBACK_ROUTING },
    waitForModels: false,
  });
});
afterAll(async () => {
  await gw?.close();
  await upstream?.close();
});

async function chat(body: Record<string, unknown>): Promise<string> {
  const response = await fetch(`${gw.url}/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ model: "fake-gpt", ...body }) });
  expect(response.status).toBe(200);
  return response.text();
}

/** What a streamed answer's chunks add up to: its text and its first tool call's arguments. */
function streamed(sse: string): { content: string; args: string } {
  let content = "";
  let args = "";
  for (const line of sse.split("\n")) {
    if (!line.startsWith("data: ") || line === "data: [DONE]") continue;
    const delta = (JSON.parse(line.slice(6)) as { choices: Array<{ delta?: { content?: string; tool_calls?: Array<{ function?: { arguments?: string } }> } }> }).choices[0]?.delta;
    content += delta?.content ?? "";
    args += delta?.tool_calls?.[0]?.function?.arguments ?? "";
  }
  return { content, args };
}

/** The placeholder the gateway sent for the last user message's value. */
function placeholderIn(body: Body): string {
  const text = String(body.messages.at(-1)?.content);
  const placeholder = text.match(/<[A-Z_]+_\d+>/)?.[0];
  expect(placeholder).toBeDefined();
  return placeholder!;
}

describe("tool-call arguments that escape the placeholder's brackets", () => {
  // Valid JSON some serializers write: "\u003c" and "\u003e" for "<" and ">".
  const escapedArgs = (body: Body) => `{"to":"${placeholderIn(body).replace("<", "\\u003c").replace(">", "\\u003e")}"}`;

  it("reach the client with the value restored", async () => {
    upstream.reply = (body) => ({
      message: { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "send", arguments: escapedArgs(body) } }] },
    });
    const answer = JSON.parse(await chat({ messages: [{ role: "user", content: `Send the invoice to ${EMAIL}` }], tools: [SEND_TOOL] })) as {
      choices: Array<{ message: { tool_calls: Array<{ function: { arguments: string } }> } }>;
    };
    expect(JSON.parse(answer.choices[0]!.message.tool_calls[0]!.function.arguments)).toEqual({ to: EMAIL });
  });

  it("reach a streaming client with the value restored, the escape split across chunks", async () => {
    upstream.reply = (body) => {
      const pieces = escapedArgs(body).match(/[\s\S]{1,4}/g) ?? [];
      return {
        deltas: [
          { role: "assistant", content: null, tool_calls: [{ index: 0, id: "call_1", type: "function", function: { name: "send", arguments: "" } }] },
          ...pieces.map((piece) => ({ tool_calls: [{ index: 0, function: { arguments: piece } }] })),
        ],
      };
    };
    const sse = await chat({ messages: [{ role: "user", content: `Send the invoice to ${EMAIL}` }], tools: [SEND_TOOL], stream: true });
    expect(JSON.parse(streamed(sse).args)).toEqual({ to: EMAIL });
  });
});

describe("a pseudonymized message name the answer repeats", () => {
  const NAME = "Maria Gonzalez";
  const greeting = (body: Body) => `Hello ${body.messages[0]!.name}, how can I help?`;

  it("reaches the client as the name, though it went out without brackets", async () => {
    let sentName: string | undefined;
    upstream.reply = (body) => {
      sentName = body.messages[0]!.name;
      return { message: { role: "assistant", content: greeting(body) } };
    };
    const answer = JSON.parse(await chat({ messages: [{ role: "user", name: NAME, content: "Hi, I need help with my order" }] })) as { choices: Array<{ message: { content: string } }> };
    expect(sentName).toMatch(/^PERSON_\d+$/);
    expect(answer.choices[0]!.message.content).toBe(`Hello ${NAME}, how can I help?`);
  });

  it("reaches a streaming client as the name, the alias split across chunks", async () => {
    upstream.reply = (body) => ({ deltas: (greeting(body).match(/[\s\S]{1,3}/g) ?? []).map((content, i) => (i === 0 ? { role: "assistant", content } : { content })) });
    const sse = await chat({ messages: [{ role: "user", name: NAME, content: "Hi, I need help with my order" }], stream: true });
    expect(streamed(sse).content).toBe(`Hello ${NAME}, how can I help?`);
  });

  it("is not restored where the request pseudonymized the name only with brackets", async () => {
    // The model drops the brackets of a content placeholder: that bare text was never handed out.
    upstream.reply = (body) => ({ message: { role: "assistant", content: `Hello ${placeholderIn(body).slice(1, -1)}` } });
    const answer = JSON.parse(await chat({ messages: [{ role: "user", content: `I am ${NAME}` }] })) as { choices: Array<{ message: { content: string } }> };
    expect(answer.choices[0]!.message.content).toMatch(/^Hello PERSON_\d+$/);
  });
});
