/**
 * Reasoning models bill their thinking as output tokens (OpenAI counts `reasoning_tokens` inside
 * `completion_tokens`). When the gateway counts an answer itself — the upstream sent no usage, or the
 * client left before it came — the thinking it relayed (`reasoning_content`, `reasoning`) was left
 * out: a client that left during a long thinking phase was recorded with 0 completion tokens, and a
 * server without usage was recorded at the answer's few tokens, though the upstream billed them all.
 */
import { describe, expect, it } from "vitest";
import { NO_FALLBACK_ROUTING, testModelsYaml, upstreamGateway } from "../support/gateway.js";
import { chunkFrame, startRawUpstream } from "../support/raw-upstream.js";
import { apiKeysEnv, usageRecords } from "../support/usage-api.js";

const KEYS = { whole: "sk-think-whole-0123456789", stream: "sk-think-stream-0123456789", left: "sk-think-left-0123456789" };
const BASE = { id: "chatcmpl-think", created: 1_700_000_000, model: "upstream-gpt" };
const THINKING = "Let me think about this carefully step by step, weighing each possible answer in turn. ".repeat(20);
const ANSWER = "Paris.";

let releaseLeft: () => void = () => {};

const cloud = upstreamGateway(
  () =>
    startRawUpstream((raw, res, req) => {
      const sent = JSON.parse(raw) as { stream?: boolean; messages: Array<{ content: string }> };
      const leave = sent.messages.at(-1)!.content.includes("leave");
      if (!sent.stream) {
        res.writeHead(200, { "content-type": "application/json" });
        const message = { role: "assistant", content: ANSWER, reasoning_content: THINKING, refusal: null };
        return res.end(JSON.stringify({ ...BASE, object: "chat.completion", choices: [{ index: 0, message, finish_reason: "stop", logprobs: null }] }));
      }
      res.writeHead(200, { "content-type": "text/event-stream" });
      for (const piece of THINKING.match(/.{1,40}/gs)!) res.write(chunkFrame(BASE, { reasoning_content: piece }, null));
      if (leave) {
        // Still thinking when the client leaves.
        req.socket.on("close", () => res.destroy());
        releaseLeft();
        return;
      }
      res.write(chunkFrame(BASE, { content: ANSWER }, null));
      res.write(chunkFrame(BASE, {}, "stop"));
      res.end("data: [DONE]\n\n");
    }),
  {
    modelsYaml: (raw) => testModelsYaml({ cloudBaseURL: raw.baseURL, maxRetries: 0 }),
    gateway: { files: { "routing.yaml": NO_FALLBACK_ROUTING }, env: { SWITCHYARD_API_KEYS: apiKeysEnv(KEYS) }, waitForModels: false },
  },
);

const ask = (content: string) => ({ model: "fake-gpt", messages: [{ role: "user" as const, content }] });
/** Far more than the answer's few tokens: the thinking is ~360 words. */
const THINKING_TOKENS_AT_LEAST = 200;

describe("the gateway's own count of a reasoning model's answer", () => {
  it("includes the thinking of a whole answer sent without usage", async () => {
    const completion = await cloud.gw.client({ apiKey: KEYS.whole }).chat.completions.create(ask("What is the capital of France?"));
    expect(completion.choices[0]?.message.content).toBe(ANSWER);
    const [record] = await usageRecords(cloud.gw.url, KEYS.whole, 1);
    expect(Number(record!.completion_tokens)).toBeGreaterThan(THINKING_TOKENS_AT_LEAST);
  });

  it("includes the thinking of a stream sent without usage, in the client's usage chunk and the record alike", async () => {
    const stream = await cloud.gw.client({ apiKey: KEYS.stream }).chat.completions.create({ ...ask("What is the capital of France?"), stream: true, stream_options: { include_usage: true } });
    let usage: { completion_tokens: number } | undefined;
    for await (const chunk of stream) if (chunk.usage) usage = chunk.usage;
    expect(usage!.completion_tokens).toBeGreaterThan(THINKING_TOKENS_AT_LEAST);
    const [record] = await usageRecords(cloud.gw.url, KEYS.stream, 1);
    expect(Number(record!.completion_tokens)).toBe(usage!.completion_tokens);
  });

  it("includes the thinking relayed before a client left mid-stream", async () => {
    const thinking = new Promise<void>((resolve) => (releaseLeft = resolve));
    const controller = new AbortController();
    const response = await fetch(`${cloud.gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${KEYS.left}` },
      body: JSON.stringify({ ...ask("Think, then I leave."), stream: true }),
      signal: controller.signal,
    });
    const reader = response.body!.getReader();
    await thinking;
    let received = "";
    while (!received.includes(THINKING.slice(-30).trim().slice(-20))) received += new TextDecoder().decode((await reader.read()).value);
    controller.abort();
    const [record] = await usageRecords(cloud.gw.url, KEYS.left, 1);
    expect(record!.status).toBe("499");
    expect(Number(record!.completion_tokens)).toBeGreaterThan(THINKING_TOKENS_AT_LEAST);
  });
});
