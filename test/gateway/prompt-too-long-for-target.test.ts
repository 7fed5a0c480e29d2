/**
 * A prompt longer than its first target takes moves on along the chain instead of being refused, and
 * `prompt_tokens_*` sizes text in any script. stories260K runs with a 2,048-token window and counts
 * "word " as about three tokens: 1,000 of them (estimated at 1,254 tokens) do not fit it.
 */
import { BadRequestError } from "openai";
import { beforeEach, describe, expect, it } from "vitest";
import { readFallbackHeader } from "../../src/policy/fallback.js";
import { shippedPolicyWith } from "../e2e/support.js";
import { fakeCloudGateway, postJson } from "../support/gateway.js";

const ROUTING = `
version: 1
rules:
  - name: long-prompt
    when: { prompt_tokens_above: 1500 }
    then: { route: cloud }
  - name: named-model
    when: { not: { model: auto } }
    then: { route: requested, fallbacks: [cloud] }
  - name: local-first
    when: { metadata: { case: local-first } }
    then: { route: local, fallbacks: [cloud] }
default: { route: cloud }
`;

const cloud = fakeCloudGateway({ gateway: { files: { "routing.yaml": ROUTING } } });
const TOO_LONG_FOR_STORIES = "word ".repeat(1000);

function chat(model: string, content: string, extra: Record<string, unknown> = {}) {
  return { model, messages: [{ role: "user", content }], max_tokens: 8, ...extra };
}

beforeEach(() => {
  cloud.fake.requests.length = 0;
});

describe("a prompt in a script other than Latin is sized by what it costs in tokens", () => {
  it("applies prompt_tokens_above to a 4,200-character Chinese prompt", async () => {
    const content = "请帮我总结一下这份关于季度销售业绩的报告。".repeat(200);
    const dry = await postJson(cloud.gw.url, "/v1/route", chat("auto", content));
    expect(dry.status).toBe(200);
    expect(dry.json.rule).toBe("long-prompt");
    expect((dry.json.features as { promptTokens: number }).promptTokens).toBeGreaterThanOrEqual(4200);
  });
});

describe("a prompt too long for a target the policy chose moves on to the next target of the chain", () => {
  const body = chat("auto", TOO_LONG_FOR_STORIES, { metadata: { case: "local-first" } });

  it("answers from the chain's cloud target, with the hop in x-switchyard-fallback", async () => {
    const real = await postJson(cloud.gw.url, "/v1/chat/completions", body);
    expect(real.status, JSON.stringify(real.json)).toBe(200);
    expect(real.headers.get("x-switchyard-route")).toBe("cloud");
    expect(real.headers.get("x-switchyard-model")).toBe("fake-gpt");
    expect(readFallbackHeader(real.headers.get("x-switchyard-fallback") ?? "")).toEqual(["stories", "fake-gpt"]);
    expect(cloud.fake.requests).toHaveLength(1);
  });

  it("is predicted by the dry run: the cloud target, the local one listed as skipped for its window", async () => {
    const dry = await postJson(cloud.gw.url, "/v1/route", body);
    expect(dry.status, JSON.stringify(dry.json)).toBe(200);
    expect(dry.json).toMatchObject({ rule: "local-first", route: "cloud", model: "fake-gpt" });
    expect(dry.json.reasons).toContain("skipped stories: prompt does not fit context window 2048 as its tokenizer counts it");
    expect(dry.json.fallbacks).not.toContain("fake-gpt");
  });

  it("refuses with the largest target's 400 context_length_exceeded when every target is too small", async () => {
    // The prompt fits fake-gpt's 128,000 tokens, but not with the 127,000 the client asks for beside it.
    const tooMuch = chat("auto", TOO_LONG_FOR_STORIES, { metadata: { case: "local-first" }, max_tokens: 127_000 });
    const real = await postJson(cloud.gw.url, "/v1/chat/completions", tooMuch);
    expect(real.status).toBe(400);
    expect(real.json.error).toMatchObject({ code: "context_length_exceeded" });
    expect(real.json.error?.message).toContain("maximum context length is 128000 tokens");
    expect(cloud.fake.requests).toHaveLength(0);

    const dry = await postJson(cloud.gw.url, "/v1/route", tooMuch);
    expect(dry.status).toBe(400);
    expect(dry.json.error).toEqual(real.json.error);
  });
});

describe("a prompt too long for the model the client named is refused, as OpenAI refuses it", () => {
  for (const model of ["stories", "local"]) {
    it(`answers 400 context_length_exceeded for model '${model}', though its rule lists a cloud fallback`, async () => {
      const body = chat(model, TOO_LONG_FOR_STORIES);
      const real = await postJson(cloud.gw.url, "/v1/chat/completions", body);
      expect(real.status).toBe(400);
      expect(real.json.error).toMatchObject({ code: "context_length_exceeded", param: "messages" });
      expect(real.json.error?.message).toContain("maximum context length is 2048 tokens");
      expect(cloud.fake.requests).toHaveLength(0);

      const dry = await postJson(cloud.gw.url, "/v1/route", body);
      expect(dry.status).toBe(400);
      expect(dry.json.error).toEqual(real.json.error);
    });
  }
});

describe("a request pii.yaml keeps on the host, whose on-host target is too small", async () => {
  // The shipped policy with e-mail addresses kept on the host.
  const pii = await shippedPolicyWith("pii.yaml", { "budget_ms: 250": "budget_ms: 5000", "  EMAIL_ADDRESS: {}": "  EMAIL_ADDRESS: { cloud: keep_local }" });
  const keptLocal = fakeCloudGateway({ gateway: { files: { "routing.yaml": "version: 1\nrules: []\ndefault: { route: cloud }\n", "pii.yaml": pii } } });

  it("gets that target's 400 context_length_exceeded, as the dry run says, not 503 pii_keep_local", async () => {
    const body = chat("auto", `Mail maria.gonzalez@example.com about this: ${TOO_LONG_FOR_STORIES}`);
    const dry = await postJson(keptLocal.gw.url, "/v1/route", body);
    const real = await postJson(keptLocal.gw.url, "/v1/chat/completions", body);
    expect(keptLocal.fake.requests).toHaveLength(0);
    expect([real.status, real.json.error?.code]).toEqual([400, "context_length_exceeded"]);
    expect([dry.status, dry.json.error?.code]).toEqual([real.status, real.json.error?.code]);
  });
});

describe("a prompt that outgrows its on-host target once pii.yaml's local rules rewrite it", async () => {
  // Local pseudonyms for e-mail addresses are longer than the addresses: what the model reads is longer
  // than what the client sent.
  const pii = await shippedPolicyWith("pii.yaml", { "budget_ms: 250": "budget_ms: 5000", "  EMAIL_ADDRESS: {}": "  EMAIL_ADDRESS: { local: pseudonymize }" });
  const routing = "version: 1\nrules: []\ndefault: { route: stories, fallbacks: [fake-gpt] }\n";
  const rewritten = fakeCloudGateway({ gateway: { files: { "routing.yaml": routing, "pii.yaml": pii } } });
  const asWritten = fakeCloudGateway({ gateway: { files: { "routing.yaml": routing } } });
  // Fits stories260K's 2,048-token window as sent (the first test), not with the pseudonyms.
  const content = "Once upon a time ".repeat(470) + Array.from({ length: 10 }, (_, i) => ` mail x${i}@ab.io`).join("");

  beforeEach(() => {
    rewritten.fake.requests.length = 0;
  });

  it("fits stories as the client wrote it (shipped pii.yaml, which leaves it as written)", async () => {
    const { response } = await asWritten.gw.client().chat.completions.create(chat("auto", content) as never).withResponse();
    expect(response.headers.get("x-switchyard-model")).toBe("stories");
  });

  it("moves on to the rule's fallback when the policy chose the target, as the dry run says", async () => {
    const { data, response } = await rewritten.gw.client().chat.completions.create(chat("auto", content) as never).withResponse();
    expect(response.headers.get("x-switchyard-model")).toBe("fake-gpt");
    expect(readFallbackHeader(response.headers.get("x-switchyard-fallback") ?? "")).toEqual(["stories", "fake-gpt"]);
    expect(data.choices[0]?.message).toBeDefined();
    expect(rewritten.fake.requests).toHaveLength(1);

    const dry = await postJson(rewritten.gw.url, "/v1/route", chat("auto", content));
    expect(dry.json).toMatchObject({ route: "cloud", model: "fake-gpt" });
    expect(dry.json.reasons).toContain("skipped stories: prompt does not fit context window 2048 as its tokenizer counts it");
  });

  it("answers 400 context_length_exceeded for the model the client named, as the dry run says", async () => {
    const error = await rewritten.gw.client().chat.completions.create(chat("stories", content) as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as BadRequestError).code).toBe("context_length_exceeded");
    expect(rewritten.fake.requests).toHaveLength(0);

    const dry = await postJson(rewritten.gw.url, "/v1/route", chat("stories", content));
    expect([dry.status, dry.json.error?.code]).toEqual([400, "context_length_exceeded"]);
  });

  it("leaves out the older turns the rewritten prompt has no room for, as for any long conversation", async () => {
    const newest = "Once upon a time ".repeat(260) + Array.from({ length: 20 }, (_, i) => ` mail x${i}@ab.io`).join("");
    const messages = [
      { role: "user", content: "Once upon a time ".repeat(150) },
      { role: "assistant", content: "there was a cat." },
      { role: "user", content: newest },
    ];
    const body = { model: "stories", messages, max_tokens: 8 } as never;
    const asSent = await asWritten.gw.client().chat.completions.create(body).withResponse();
    expect(asSent.response.headers.get("x-switchyard-context-dropped")).toBeNull();

    const { response } = await rewritten.gw.client().chat.completions.create(body).withResponse();
    expect(response.headers.get("x-switchyard-model")).toBe("stories");
    expect(response.headers.get("x-switchyard-context-dropped")).toBe("2");
  });
});
