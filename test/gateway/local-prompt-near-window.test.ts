/**
 * Routing sizes a prompt by a tokenizer-free estimate (about four characters a token), which can put a
 * prompt over an in-process model's window that its own tokenizer fits. stories260K runs with a
 * 2,048-token window and counts "Once upon a time " as four tokens: 500 of them (8,500 characters,
 * estimated at 2,129 tokens) take about 2,000 in the prompt, 520 about 2,080.
 */
import { describe, expect, it } from "vitest";
import { fakeCloudGateway, postJson, TINY_RANDOM_MODEL } from "../support/gateway.js";

const cloud = fakeCloudGateway();

const chat = (repeats: number) => ({
  model: "stories",
  messages: [{ role: "user" as const, content: "Once upon a time ".repeat(repeats) }],
  max_tokens: 3,
  temperature: 0,
});

describe("a prompt the estimate puts over an in-process model's window", () => {
  it("is answered by that model when its tokenizer fits the prompt and the completion in the window", async () => {
    const { data, response } = await cloud.gw.client().chat.completions.create(chat(500)).withResponse();
    expect(response.headers.get("x-switchyard-model")).toBe("stories");
    // Over the estimate's 2,048, within the window beside the 3 tokens asked for.
    expect(data.usage?.prompt_tokens).toBeGreaterThan(2000);
    expect(data.usage?.prompt_tokens).toBeLessThanOrEqual(2045);
    expect(data.choices[0]?.finish_reason).toBe("length");
    expect(cloud.fake.requests).toHaveLength(0);
  });

  it("is predicted so by the dry run", async () => {
    const dry = await postJson(cloud.gw.url, "/v1/route", chat(500));
    expect(dry.status, JSON.stringify(dry.json)).toBe(200);
    expect(dry.json).toMatchObject({ route: "local", model: "stories" });
  });

  it("is still refused with context_length_exceeded when the tokenizer does not fit it", async () => {
    const error = await cloud.gw.client().chat.completions.create(chat(520)).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 400, code: "context_length_exceeded" });
  });
});

describe("the count of a prompt near an in-process model's window", () => {
  it("is not made for a request naming a cloud model: the local model's tokenizer is not run", async () => {
    const dry = await postJson(cloud.gw.url, "/v1/route", { ...chat(500), model: "fake-gpt" });
    expect(dry.status, JSON.stringify(dry.json)).toBe(200);
    expect(dry.json).toMatchObject({ route: "cloud", model: "fake-gpt" });
    expect((dry.json as { features: Record<string, unknown> }).features).not.toHaveProperty("inProcessPromptTokens");
  });

  it("is made, for that model, when the decision skipped it for its window", async () => {
    const dry = await postJson(cloud.gw.url, "/v1/route", chat(500));
    const counted = (dry.json as { features: { inProcessPromptTokens?: Record<string, number> } }).features.inProcessPromptTokens;
    expect(Object.keys(counted ?? {})).toEqual(["stories"]);
  });
});

// The Llama 2 tokenizer takes a line of 16 dashes as far fewer tokens than the estimate's four
// characters a token: 900 such lines (15,300 characters) are estimated at 3,825 tokens, 1.87 times the
// 2,048-token window, and take 1,801.
const tiny = fakeCloudGateway({ models: { localPath: TINY_RANDOM_MODEL } });

describe("a prompt the estimate puts well over an in-process model's window", () => {
  it("is answered when the model's tokenizer fits it", async () => {
    const content = ("-".repeat(16) + "\n").repeat(900);
    const { data, response } = await tiny.gw.client().chat.completions.create({ model: "stories", messages: [{ role: "user", content }], max_tokens: 3 }).withResponse();
    expect(response.headers.get("x-switchyard-model")).toBe("stories");
    expect(data.usage?.prompt_tokens).toBeLessThan(2048);
    expect(tiny.fake.requests).toHaveLength(0);
  });
});
