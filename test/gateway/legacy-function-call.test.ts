/**
 * The deprecated single function call (`message.function_call`, `delta.function_call` when streaming),
 * which the OpenAI API still answers with when a client sends `functions`: end to end, the official
 * OpenAI client → gateway → an upstream that calls the function with the request's last user message
 * (as the gateway sent it, placeholders and all). The client gets the call with the original values
 * back, as it would in `tool_calls`.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { NO_FALLBACK_ROUTING, startTestGateway, testModelsYaml, type TestGateway } from "../support/gateway.js";

const EMAIL = "ann.lee@example.com";
const FUNCTIONS = [{ name: "send_mail", description: "Sends a mail.", parameters: { type: "object", properties: { to: { type: "string" } } } }];
const ask = { model: "legacy-gpt", messages: [{ role: "user" as const, content: `Mail ${EMAIL}` }], functions: FUNCTIONS };

interface LegacyUpstream {
  baseURL: string;
  /** The raw bodies the upstream received. */
  bodies: string[];
  close(): Promise<void>;
}

/**
 * Answers every request with `send_mail({"to": <last user message>})`, streamed in pieces of 3
 * characters. `max_tokens` cuts the arguments to that many characters, as a model stopped at its limit.
 */
async function startLegacyCallUpstream(): Promise<LegacyUpstream> {
  const bodies: string[] = [];
  const server: Server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on("data", (chunk: Buffer) => parts.push(chunk));
    req.on("end", () => {
      const raw = Buffer.concat(parts).toString("utf8");
      bodies.push(raw);
      const body = JSON.parse(raw) as { stream?: boolean; max_tokens?: number; messages: Array<{ role: string; content?: unknown }> };
      const lastUser = [...body.messages].reverse().find((m) => m.role === "user");
      const args = JSON.stringify({ to: typeof lastUser?.content === "string" ? lastUser.content : "" }).slice(0, body.max_tokens);
      const finishReason = body.max_tokens ? "length" : "function_call";
      const base = { id: "chatcmpl-legacy", created: 1_700_000_000, model: "legacy-upstream" };
      if (!body.stream) {
        res.writeHead(200, { "content-type": "application/json" });
        return res.end(
          JSON.stringify({
            ...base,
            object: "chat.completion",
            choices: [{ index: 0, message: { role: "assistant", content: null, refusal: null, function_call: { name: "send_mail", arguments: args } }, finish_reason: finishReason, logprobs: null }],
            usage: { prompt_tokens: 20, completion_tokens: 10, total_tokens: 30 },
          }),
        );
      }
      res.writeHead(200, { "content-type": "text/event-stream" });
      const frame = (delta: object, finish: string | null) =>
        `data: ${JSON.stringify({ ...base, object: "chat.completion.chunk", choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }] })}\n\n`;
      res.write(frame({ role: "assistant", content: null, function_call: { name: "send_mail", arguments: "" } }, null));
      // Pieces of 3 characters split the placeholder, so the gateway must hold back and rejoin it.
      for (const piece of args.match(/[\s\S]{1,3}/g) ?? []) res.write(frame({ function_call: { arguments: piece } }, null));
      res.write(frame({}, finishReason));
      res.end("data: [DONE]\n\n");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    bodies,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The test models plus `legacy-gpt`, a cloud model served by the legacy-call upstream. */
function modelsYaml(upstreamBaseURL: string): string {
  return testModelsYaml({ cloudBaseURL: upstreamBaseURL, maxRetries: 0 }).replace(
    "models:\n",
    `  legacy:
    type: openai_compatible
    base_url: ${upstreamBaseURL}
    api_key_env: FAKE_CLOUD_KEY
    timeout_ms: 5000
    max_retries: 0
models:
  legacy-gpt:
    provider: legacy
    upstream_model: legacy-upstream
    context_window: 128000
    capabilities: { tools: true, json_schema: true, vision: true }
    price: { input_per_1m: 0.15, output_per_1m: 0.6 }
`,
  );
}

let upstream: LegacyUpstream;
let gw: TestGateway;

beforeAll(async () => {
  upstream = await startLegacyCallUpstream();
  gw = await startTestGateway({ modelsYaml: modelsYaml(upstream.baseURL), files: { "routing.yaml": NO_FALLBACK_ROUTING } });
});
afterAll(async () => {
  await gw?.close();
  await upstream?.close();
});
beforeEach(() => {
  upstream.bodies.length = 0;
});

/** The upstream saw only a placeholder, so the answer's arguments carried one for the gateway to restore. */
function expectSentPseudonymized(): void {
  expect(upstream.bodies).toHaveLength(1);
  expect(upstream.bodies[0]).not.toContain(EMAIL);
  expect(upstream.bodies[0]).toMatch(/Mail <EMAIL_ADDRESS_\d+>/);
}

async function streamedCall(body: typeof ask & { stream: true; max_tokens?: number }): Promise<{ name: string; args: string; finish: string | undefined }> {
  const stream = await gw.client().chat.completions.create(body);
  let name = "";
  let args = "";
  let finish: string | undefined;
  for await (const chunk of stream) {
    const choice = chunk.choices[0];
    name += choice?.delta.function_call?.name ?? "";
    args += choice?.delta.function_call?.arguments ?? "";
    finish = choice?.finish_reason ?? finish;
  }
  return { name, args, finish };
}

describe("a cloud answer with the deprecated function_call", () => {
  it("reaches the client with its arguments' placeholders restored", async () => {
    const answer = await gw.client().chat.completions.create(ask);
    expectSentPseudonymized();
    const choice = answer.choices[0]!;
    expect(choice.finish_reason).toBe("function_call");
    expect(choice.message.function_call?.name).toBe("send_mail");
    expect(JSON.parse(choice.message.function_call!.arguments)).toEqual({ to: `Mail ${EMAIL}` });
  });

  it("streamed, reaches the client with a placeholder split across chunks restored", async () => {
    const { name, args, finish } = await streamedCall({ ...ask, stream: true });
    expectSentPseudonymized();
    expect(name).toBe("send_mail");
    expect(JSON.parse(args)).toEqual({ to: `Mail ${EMAIL}` });
    expect(finish).toBe("function_call");
  });

  it("streamed and cut short inside a placeholder, reaches the client without losing the held-back piece", async () => {
    // `{"to":"Mail ` is 12 characters: the cut falls inside the placeholder, which the gateway held back
    // waiting for its end; the stream ends, and what was held goes out before the finish.
    const { args, finish } = await streamedCall({ ...ask, stream: true, max_tokens: 18 });
    expectSentPseudonymized();
    expect(args).toBe('{"to":"Mail <EMAIL');
    expect(finish).toBe("length");
  });
});
