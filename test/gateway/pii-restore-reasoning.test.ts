/**
 * Reasoning models behind OpenAI-compatible servers send their thinking beside the answer
 * (`reasoning_content` from vLLM, DeepSeek and SGLang; `reasoning` from OpenRouter), and clients show
 * it to people. Its placeholders came back as `<PERSON_1>` while the content beside it was restored;
 * now both are, whole or streamed a character at a time.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NO_FALLBACK_ROUTING, startTestGateway, testModelsYaml, type TestGateway } from "../support/gateway.js";
import { chunkFrame, startRawUpstream, type RawUpstream } from "../support/raw-upstream.js";

type Sent = { messages: Array<{ role: string; content: string }>; stream?: boolean };

const EMAIL = "ann.lee@example.com";
const BASE = { id: "chatcmpl-think", created: 1_700_000_000, model: "upstream-gpt" };

let upstream: RawUpstream;
let gw: TestGateway;
const sentBodies: string[] = [];

beforeAll(async () => {
  upstream = await startRawUpstream((raw, res) => {
    sentBodies.push(raw);
    const sent = JSON.parse(raw) as Sent;
    const last = sent.messages.at(-1)! as { content: string; name?: string };
    // A message name goes out as its bare alias (PERSON_1), which a restorer holds back at a piece's end:
    // it might go on (PERSON_12).
    const placeholder = last.name ?? last.content.match(/<[A-Z_]+_\d+>/)?.[0] ?? "none";
    const thinking = last.name ? `I should greet ${placeholder}` : `The user gave ${placeholder}; I should confirm it.`;
    const answer = `Confirmed: ${placeholder}.`;
    if (!sent.stream) {
      res.writeHead(200, { "content-type": "application/json" });
      const message = { role: "assistant", content: answer, reasoning_content: thinking, reasoning: thinking, refusal: null };
      return res.end(JSON.stringify({ ...BASE, object: "chat.completion", choices: [{ index: 0, message, finish_reason: "stop", logprobs: null }], usage: { prompt_tokens: 5, completion_tokens: 5, total_tokens: 10 } }));
    }
    res.writeHead(200, { "content-type": "text/event-stream" });
    for (const piece of thinking) res.write(chunkFrame(BASE, { reasoning_content: piece, reasoning: piece }, null));
    for (const piece of answer) res.write(chunkFrame(BASE, { content: piece }, null));
    res.write(chunkFrame(BASE, {}, "stop"));
    res.end("data: [DONE]\n\n");
  });
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

const body = { model: "fake-gpt", messages: [{ role: "user", content: `My email is ${EMAIL}, please confirm it.` }] };
const post = (extra: Record<string, unknown>) =>
  fetch(`${gw.url}/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ ...body, ...extra }) });

describe("a reasoning model's thinking", () => {
  it("comes back with the values restored, as the content does", async () => {
    const completion = (await (await post({})).json()) as { choices: Array<{ message: Record<string, string> }> };
    const message = completion.choices[0]!.message;
    expect(message.content).toBe(`Confirmed: ${EMAIL}.`);
    expect(message.reasoning_content).toBe(`The user gave ${EMAIL}; I should confirm it.`);
    expect(message.reasoning).toBe(`The user gave ${EMAIL}; I should confirm it.`);
    expect(sentBodies.join("")).not.toContain(EMAIL);
  });

  it("comes back restored when streamed a character at a time", async () => {
    const text = await (await post({ stream: true })).text();
    const deltas = text
      .split("\n")
      .filter((line) => line.startsWith("data: {"))
      .map((line) => (JSON.parse(line.slice(6)) as { choices: Array<{ delta: Record<string, string> }> }).choices[0]?.delta ?? {});
    const joined = (field: string) => deltas.map((delta) => delta[field] ?? "").join("");
    expect(joined("reasoning_content")).toBe(`The user gave ${EMAIL}; I should confirm it.`);
    expect(joined("reasoning")).toBe(`The user gave ${EMAIL}; I should confirm it.`);
    expect(joined("content")).toBe(`Confirmed: ${EMAIL}.`);
  });

  // A review found the thinking's held-back tail (a bare alias) sent after the whole answer.
  it("ends before the answer starts when its last piece was held back", async () => {
    const response = await fetch(`${gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "fake-gpt", stream: true, messages: [{ role: "user", name: "John_Smith", content: "hi" }] }),
    });
    const deltas = (await response.text())
      .split("\n")
      .filter((line) => line.startsWith("data: {"))
      .map((line) => (JSON.parse(line.slice(6)) as { choices: Array<{ delta: Record<string, string> }> }).choices[0]?.delta ?? {});
    expect(deltas.map((delta) => delta.reasoning_content ?? "").join("")).toBe("I should greet John Smith");
    const lastThought = deltas.findLastIndex((delta) => Boolean(delta.reasoning_content));
    const firstAnswer = deltas.findIndex((delta) => Boolean(delta.content));
    expect(lastThought).toBeLessThanOrEqual(firstAnswer);
  });
});
