/**
 * A provider declared with `stream_usage: false` (servers that refuse `stream_options`, such as older
 * Azure OpenAI API versions) is sent no `stream_options`, and the gateway counts the stream's tokens
 * itself: in its usage records, and in the usage chunk a client that asked for one still gets.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { startFakeOpenAI } from "../support/fake-openai.js";
import { NO_FALLBACK_ROUTING, testModelsYaml, upstreamGateway } from "../support/gateway.js";

const ANSWER = "The capital of France is Paris, a city on the Seine.";

const cloud = upstreamGateway(() => startFakeOpenAI({ answer: ANSWER }), {
  modelsYaml: (fake) => {
    const models = testModelsYaml({ cloudBaseURL: fake.baseURL }).replace("  fake:\n    type: openai_compatible\n", "  fake:\n    type: openai_compatible\n    stream_usage: false\n");
    expect(models).toContain("stream_usage: false");
    return models;
  },
  gateway: { files: { "routing.yaml": NO_FALLBACK_ROUTING }, waitForModels: false },
});
beforeEach(() => cloud.upstream.reset());

const ask = { model: "cloud", messages: [{ role: "user" as const, content: "What is the capital of France?" }], stream: true as const };

describe("a provider with stream_usage: false", () => {
  it("is sent no stream_options, even when the client asked for usage", async () => {
    const stream = await cloud.gw.client().chat.completions.create({ ...ask, stream_options: { include_usage: true } });
    for await (const _chunk of stream) {
      // drained
    }
    expect(cloud.upstream.requests).toHaveLength(1);
    expect(cloud.upstream.requests[0]!.body).not.toHaveProperty("stream_options");
  });

  it("still gives a client that asked for usage a usage chunk, counted by the gateway", async () => {
    const chunks = [];
    for await (const chunk of await cloud.gw.client().chat.completions.create({ ...ask, stream_options: { include_usage: true } })) chunks.push(chunk);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe(ANSWER);
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage!.prompt_tokens).toBeGreaterThan(5);
    expect(last.usage!.completion_tokens).toBeGreaterThan(5);
    expect(last.usage!.total_tokens).toBe(last.usage!.prompt_tokens + last.usage!.completion_tokens);
    // Only the last chunk carries usage, as OpenAI sends it.
    expect(chunks.filter((c) => c.usage != null)).toHaveLength(1);
    // The others say `usage: null`, as OpenAI's do, though this upstream's chunks had no usage field.
    expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);
  });

  it("sends no usage chunk to a client that did not ask for one", async () => {
    const chunks = [];
    for await (const chunk of await cloud.gw.client().chat.completions.create(ask)) chunks.push(chunk);
    expect(chunks.some((c) => c.usage != null)).toBe(false);
    expect(chunks.every((c) => c.choices.length === 1)).toBe(true);
  });
});
