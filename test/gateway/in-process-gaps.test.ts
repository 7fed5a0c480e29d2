/**
 * What the in-process model cannot give — audio or file input, logprobs, audio output, web search,
 * moderated completions, a logit_bias keyed by another tokenizer's token ids — is refused with a 400
 * naming the parameter when a client names it, instead of a 200 that silently dropped the attachment
 * or the logprobs; routing (`auto`, fallback chains) sends such requests to a cloud model.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { fakeCloudGateway } from "../support/gateway.js";

const ROUTING = `
version: 1
degrade: { local_overload: none, cloud_failure: none }
rules:
  - name: explicit-model
    when: { not: { model: auto } }
    then: { route: requested, pin: true }
default: { route: local, fallbacks: [cloud] }
`;

const cloud = fakeCloudGateway({ gateway: { files: { "routing.yaml": ROUTING } } });
beforeEach(() => cloud.fake.reset());

const audio = { role: "user", content: [{ type: "text", text: "What is said here?" }, { type: "input_audio", input_audio: { data: "UklGRg==", format: "wav" } }] };
const file = { role: "user", content: [{ type: "text", text: "Summarise this." }, { type: "file", file: { file_data: "data:application/pdf;base64,JVBERi0=", filename: "a.pdf" } }] };
const text = { role: "user", content: "Once upon a time" };

async function chat(body: Record<string, unknown>) {
  const res = await fetch(`${cloud.gw.url}/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ max_tokens: 8, ...body }) });
  return { status: res.status, route: res.headers.get("x-switchyard-route"), body: (await res.json()) as { error?: { code: string; param: string; message: string } } };
}

describe("what the in-process model cannot give", () => {
  it.each([
    ["an audio part", { messages: [audio] }, "messages[0].content[1]"],
    ["a file part", { messages: [file] }, "messages[0].content[1]"],
    ["logprobs", { messages: [text], logprobs: true }, "logprobs"],
    ["top_logprobs", { messages: [text], top_logprobs: 2 }, "top_logprobs"],
    ["audio output", { messages: [text], modalities: ["text", "audio"] }, "modalities"],
    // Its keys are token ids of the client's (OpenAI) tokenizer: other tokens in the local vocabulary.
    ["logit_bias", { messages: [text], logit_bias: { "50256": -100 } }, "logit_bias"],
    // Answered without them, the client gets no search results or citations, no moderation results.
    ["web search", { messages: [text], web_search_options: { search_context_size: "low" } }, "web_search_options"],
    ["moderated completions", { messages: [text], moderation: { model: "omni-moderation-latest" } }, "moderation"],
  ])("refuses %s asked of it by name with a 400 naming the parameter", async (_label, body, param) => {
    const { status, body: answer } = await chat({ model: "local", ...body });
    expect(status).toBe(400);
    expect(answer.error).toMatchObject({ code: "unsupported_parameter", param });
  });

  it("sends such a request to the cloud when routing chooses, with the attachment intact", async () => {
    const { status, route } = await chat({ model: "auto", messages: [audio] });
    expect(status).toBe(200);
    expect(route).toBe("cloud");
    expect(JSON.stringify(cloud.fake.requests[0]?.body)).toContain("input_audio");
  });

  it("sends a request with logit_bias to the cloud when routing chooses, the bias as sent", async () => {
    const { status, route } = await chat({ model: "auto", messages: [text], logit_bias: { "50256": -100 } });
    expect(status).toBe(200);
    expect(route).toBe("cloud");
    expect(cloud.fake.requests[0]?.body).toMatchObject({ logit_bias: { "50256": -100 } });
  });

  it.each([
    ["web_search_options", { web_search_options: {} }],
    ["moderation", { moderation: { model: "omni-moderation-latest" } }],
  ])("sends a request with %s to the cloud when routing chooses, the option as sent", async (_param, option) => {
    const { status, route } = await chat({ model: "auto", messages: [text], ...option });
    expect(status).toBe(200);
    expect(route).toBe("cloud");
    expect(cloud.fake.requests[0]?.body).toMatchObject(option);
  });

  it("takes web_search_options and moderation sent as null, which ask nothing, on the in-process model", async () => {
    const { status, route } = await chat({ model: "local", messages: [text], web_search_options: null, moderation: null });
    expect(status).toBe(200);
    expect(route).toBe("local");
  });

  it("takes an empty logit_bias, which asks nothing, on the in-process model", async () => {
    const { status, route } = await chat({ model: "auto", messages: [text], logit_bias: {} });
    expect(status).toBe(200);
    expect(route).toBe("local");
  });

  // Hints about how a model works, not what the answer holds: a client that sends them on every request
  // (an SDK default, a shared config) keeps the local route instead of escalating all of its traffic.
  it("keeps the local route for reasoning_effort, verbosity, service_tier, prompt_cache_key and store (README)", async () => {
    const hints = { reasoning_effort: "high", verbosity: "low", service_tier: "auto", prompt_cache_key: "k", store: true };
    const { status, route } = await chat({ model: "auto", messages: [text], ...hints });
    expect(status).toBe(200);
    expect(route).toBe("local");
  });

  it("still answers a plain request with the in-process model", async () => {
    const { status, route } = await chat({ model: "auto", messages: [text] });
    expect(status).toBe(200);
    expect(route).toBe("local");
  });
});
