/**
 * The local route end to end: the official OpenAI client against a running gateway that answers
 * with the real stories260K model through node-llama-cpp.
 */
import { describe, expect, it } from "vitest";
import { fakeCloudGateway } from "../support/gateway.js";

const cloud = fakeCloudGateway({ models: { parallel: 2, queue: 16, maxRetries: 2 } });

describe("local route", () => {
  it("answers a non-streaming completion with the local model and counts tokens", async () => {
    const { data, response } = await cloud.gw
      .client()
      .chat.completions.create({ model: "local", messages: [{ role: "user", content: "Once upon a time" }], max_tokens: 20, temperature: 0 })
      .withResponse();
    expect(data.object).toBe("chat.completion");
    expect(data.model).toBe("stories");
    expect(data.choices[0]?.message.content?.length).toBeGreaterThan(0);
    expect(data.choices[0]?.finish_reason).toBe("length");
    expect(data.usage).toEqual({ prompt_tokens: expect.any(Number), completion_tokens: 20, total_tokens: expect.any(Number) });
    expect(data.usage!.prompt_tokens).toBeGreaterThanOrEqual(4);
    expect(response.headers.get("x-switchyard-route")).toBe("local");
    expect(response.headers.get("x-switchyard-model")).toBe("stories");
    expect(response.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(cloud.fake.requests).toHaveLength(0);
  });

  it("streams token by token and ends with a usage chunk when asked", async () => {
    const stream = await cloud.gw.client().chat.completions.create({
      model: "stories",
      messages: [{ role: "user", content: "Once upon a time" }],
      max_tokens: 12,
      temperature: 0,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? "").join("");
    const contentChunks = chunks.filter((c) => (c.choices[0]?.delta.content ?? "").length > 0);
    expect(contentChunks.length).toBeGreaterThan(5);
    expect(chunks[0]?.choices[0]?.delta.role).toBe("assistant");
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe("length");
    expect(chunks.at(-1)?.choices).toEqual([]);
    expect(chunks.at(-1)?.usage?.completion_tokens).toBe(12);
    // As OpenAI streams with include_usage: every chunk before the usage chunk says `usage: null`.
    expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);

    const whole = await cloud.gw.client().chat.completions.create({ model: "stories", messages: [{ role: "user", content: "Once upon a time" }], max_tokens: 12, temperature: 0 });
    expect(text).toBe(whole.choices[0]?.message.content);
  });

  it("sends no usage chunk when the client did not ask for one", async () => {
    const stream = await cloud.gw.client().chat.completions.create({ model: "local", messages: [{ role: "user", content: "Once" }], max_tokens: 4, stream: true });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.every((c) => c.choices.length === 1 && c.usage === undefined)).toBe(true);
  });

  it("with auto, answers locally while the local model is loaded", async () => {
    const { response } = await cloud.gw.client().chat.completions.create({ model: "auto", messages: [{ role: "user", content: "Hi" }], max_tokens: 2 }).withResponse();
    expect(response.headers.get("x-switchyard-route")).toBe("local");
  });

  it("honours stop sequences", async () => {
    const free = await cloud.gw.client().chat.completions.create({ model: "local", messages: [{ role: "user", content: "Once upon a time" }], max_tokens: 30, temperature: 0 });
    const full = free.choices[0]?.message.content ?? "";
    const word = " little";
    expect(full).toContain(word);
    const stopped = await cloud.gw.client().chat.completions.create({ model: "local", messages: [{ role: "user", content: "Once upon a time" }], max_tokens: 30, temperature: 0, stop: [word] });
    expect(stopped.choices[0]?.message.content).toBe(full.slice(0, full.indexOf(word)));
    expect(stopped.choices[0]?.finish_reason).toBe("stop");
  });

  it("is reproducible with a seed at temperature 1, and varies across seeds", async () => {
    const ask = (seed: number) =>
      cloud.gw.client().chat.completions.create({ model: "local", messages: [{ role: "user", content: "Once upon a time" }], max_tokens: 24, temperature: 1, seed });
    const [a, b, c] = await Promise.all([ask(7), ask(7), ask(12345)]);
    expect(a.choices[0]?.message.content).toBe(b.choices[0]?.message.content);
    expect(a.choices[0]?.message.content).not.toBe(c.choices[0]?.message.content);
  });

  it("takes a 64-bit seed, as OpenAI's is, reproducibly; and refuses a fractional one", async () => {
    const ask = (seed: number) =>
      cloud.gw.client().chat.completions.create({ model: "local", messages: [{ role: "user", content: "Once upon a time" }], max_tokens: 12, temperature: 1, seed });
    // 2^63 − 1 as JSON parses to 2^63; a random 63-bit seed is almost always past 2^53.
    const [a, b] = await Promise.all([ask(9223372036854775807), ask(9223372036854775807)]);
    expect(a.choices[0]?.message.content).toBe(b.choices[0]?.message.content);
    await expect(ask(1.5)).rejects.toMatchObject({ status: 400, param: "seed" });
  });

  it("enforces a json_schema response format with a grammar", async () => {
    const result = await cloud.gw.client().chat.completions.create({
      model: "local",
      messages: [{ role: "user", content: "Tell me about a dog" }],
      max_tokens: 400,
      temperature: 0,
      response_format: {
        type: "json_schema",
        json_schema: {
          name: "pet",
          schema: { type: "object", properties: { name: { type: "string", maxLength: 20 }, age: { type: "integer" } }, required: ["name", "age"], additionalProperties: false },
        },
      },
    });
    const parsed = JSON.parse(result.choices[0]?.message.content ?? "") as Record<string, unknown>;
    expect(Object.keys(parsed).sort()).toEqual(["age", "name"]);
    expect(Number.isInteger(parsed.age)).toBe(true);
  });

  it("answers 8 concurrent requests (2 sequences, 6 waiting) completely", async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        cloud.gw.client().chat.completions.create({ model: "local", messages: [{ role: "user", content: `Once upon a time ${i}` }], max_tokens: 16, temperature: 0 }),
      ),
    );
    for (const r of results) {
      expect(r.usage?.completion_tokens).toBe(16);
      expect(r.choices[0]?.message.content?.length).toBeGreaterThan(0);
    }
  });

  it("answers a message with empty content, as OpenAI does, from the prompt's beginning token alone", async () => {
    const data = await cloud.gw
      .client()
      .chat.completions.create({ model: "local", messages: [{ role: "user", content: "" }], max_tokens: 4, temperature: 0 });
    expect(data.choices[0]?.finish_reason).toBe("length");
    expect(data.choices[0]?.message.content?.length).toBeGreaterThan(0);
    expect(data.usage).toMatchObject({ prompt_tokens: 1, completion_tokens: 4 });
  });

  it("puts an assistant's refusal part in the prompt, as the same words as text", async () => {
    const asked = (answer: Record<string, unknown>) =>
      cloud.gw.client().chat.completions.create({
        model: "local",
        messages: [{ role: "user", content: "Tell me a scary story." }, { role: "assistant", ...answer } as never, { role: "user", content: "A happy one then." }],
        max_tokens: 1,
      });
    const asText = await asked({ content: "I cannot tell that story." });
    const asRefusalPart = await asked({ content: [{ type: "refusal", refusal: "I cannot tell that story." }] });
    // Left out, the model read an empty assistant turn: 12 tokens fewer.
    expect(asRefusalPart.usage?.prompt_tokens).toBe(asText.usage?.prompt_tokens);
  });

  it("refuses tools for a model that cannot call them, naming the parameter", async () => {
    const error = await cloud.gw
      .client()
      .chat.completions.create({
        model: "local",
        messages: [{ role: "user", content: "weather?" }],
        tools: [{ type: "function", function: { name: "get_weather", parameters: { type: "object", properties: {} } } }],
      })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 400, code: "unsupported_parameter", param: "tools" });
  });

  it("refuses a prompt longer than the context window with context_length_exceeded", async () => {
    const error = await cloud.gw
      .client()
      .chat.completions.create({ model: "local", messages: [{ role: "user", content: "Once upon a time ".repeat(1200) }], max_tokens: 5 })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 400, code: "context_length_exceeded" });
  });

  it("stops the local generation when the client aborts mid-stream", async () => {
    const controller = new AbortController();
    const stream = await cloud.gw.client().chat.completions.create(
      { model: "local", messages: [{ role: "user", content: "Once upon a time" }], max_tokens: 1900, temperature: 1, stream: true },
      { signal: controller.signal },
    );
    let received = 0;
    try {
      for await (const _chunk of stream) {
        if (++received === 3) controller.abort();
      }
    } catch (error) {
      expect((error as Error).name).toMatch(/Abort/);
    }
    // Frames arriving close together share a socket write, so the client may still have a few
    // already-read frames to hand out after its abort; it must not get the rest of the answer.
    expect(received).toBeGreaterThanOrEqual(3);
    expect(received).toBeLessThan(40);
    // A 1,900-token generation would hold its sequence for seconds; an aborted one frees it at once.
    const deadline = Date.now() + 1500;
    let active = -1;
    while (Date.now() < deadline) {
      const ready = (await (await fetch(`${cloud.gw.url}/readyz`)).json()) as { components: Record<string, { active?: number }> };
      active = ready.components["provider:local"]?.active ?? -1;
      if (active === 0) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(active).toBe(0);
  });
});
