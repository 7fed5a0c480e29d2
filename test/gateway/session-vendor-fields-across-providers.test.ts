/**
 * A session's turns move between providers, and a stored tool call's vendor fields are its provider's:
 * Gemini requires its `extra_content.google.thought_signature` back beside the call (400 without), and
 * Mistral refuses any field it does not know (422 `extra_forbidden`). The session sent the fields to
 * whichever provider the next turn went to, so a session that moved from Gemini to Mistral after a
 * call was refused there. Now they go to the provider that wrote the call only, on every attempt of a
 * request (a fallback gets its own messages).
 */
import { describe, expect, it } from "vitest";
import { NO_FALLBACK_ROUTING, testModelsYaml, upstreamGateway } from "../support/gateway.js";
import { chunkFrame, startRawUpstream, type RawUpstream } from "../support/raw-upstream.js";

type SentCall = Record<string, unknown>;
type SentMessage = { role: string; tool_calls?: SentCall[] };
const BASE = { id: "chatcmpl-hybrid", created: 1_700_000_000, model: "upstream" };
const SIGNATURE = Buffer.from("an opaque thought signature, as Gemini sends one").toString("base64");
const EXTRA = { google: { thought_signature: SIGNATURE } };
const CALL = { id: "call_weather", type: "function", function: { name: "get_weather", arguments: '{"unit":"celsius"}' } };

/** Per provider: the messages of each request it received. */
const received = { gemini: [] as SentMessage[][], mistral: [] as SentMessage[][] };
/** Providers whose next request fails with a 500, so the request falls back. */
const failNext = new Set<keyof typeof received>();

function answer(res: import("node:http").ServerResponse, status: number, body: object): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}
const done = { ...BASE, object: "chat.completion", choices: [{ index: 0, message: { role: "assistant", content: "Done.", refusal: null }, finish_reason: "stop", logprobs: null }] };
const callsOf = (messages: SentMessage[]) => messages.flatMap((m) => m.tool_calls ?? []);

/** Gemini-like: streams a call with its signature, and refuses a history whose call lacks one. */
const startGemini = () =>
  startRawUpstream((raw, res) => {
    const { messages } = JSON.parse(raw) as { messages: SentMessage[] };
    received.gemini.push(messages);
    if (failNext.delete("gemini")) return answer(res, 500, { error: { message: "Internal error", type: "server_error" } });
    if (callsOf(messages).some((call) => (call.extra_content as typeof EXTRA | undefined)?.google?.thought_signature === undefined)) {
      return answer(res, 400, { error: { message: "Function call is missing a thought_signature in functionCall parts.", type: "invalid_request_error", code: 400 } });
    }
    if (messages.at(-1)!.role !== "user") return answer(res, 200, done);
    res.writeHead(200, { "content-type": "text/event-stream" });
    res.write(chunkFrame(BASE, { role: "assistant", content: null }, null));
    res.write(chunkFrame(BASE, { tool_calls: [{ index: 0, ...CALL, function: { name: "get_weather", arguments: "" }, extra_content: EXTRA }] }, null));
    res.write(chunkFrame(BASE, { tool_calls: [{ index: 0, function: { arguments: CALL.function.arguments } }] }, null));
    res.write(chunkFrame(BASE, {}, "tool_calls"));
    res.end("data: [DONE]\n\n");
  });

/** Mistral-like: refuses a call carrying a field it does not know. */
const startMistral = () =>
  startRawUpstream((raw, res) => {
    const { messages } = JSON.parse(raw) as { messages: SentMessage[] };
    received.mistral.push(messages);
    if (failNext.delete("mistral")) return answer(res, 500, { error: { message: "Internal error", type: "server_error" } });
    const extra = callsOf(messages).flatMap((call) => Object.keys(call).filter((field) => !["id", "type", "function"].includes(field)));
    if (extra.length > 0) return answer(res, 422, { object: "error", message: { detail: extra.map((field) => ({ type: "extra_forbidden", loc: ["body", "messages", "tool_calls", field], msg: "Extra inputs are not permitted" })) }, type: "invalid_request_message_error", code: null });
    answer(res, 200, done);
  });

const startBoth = async (): Promise<RawUpstream & { mistralURL: string }> => {
  const [gemini, mistral] = await Promise.all([startGemini(), startMistral()]);
  return {
    baseURL: gemini.baseURL,
    mistralURL: mistral.baseURL,
    close: async () => void (await Promise.all([gemini.close(), mistral.close()])),
  };
};

// `fake` (fake-gpt, gpt-4o) is the Gemini-like provider; `mistral` (mistral-small) the other. Asked by
// name, gpt-4o falls back to mistral-small and mistral-small to gpt-4o.
const ROUTING = NO_FALLBACK_ROUTING.replace(
  "rules:",
  `rules:
  - name: across-providers
    when: { model: [gpt-4o, mistral-small] }
    then: { route: requested, fallbacks: [gpt-4o, mistral-small], pin: true }`,
);

const hybrid = upstreamGateway(startBoth, {
  modelsYaml: (up) =>
    testModelsYaml({ cloudBaseURL: up.baseURL, maxRetries: 0 })
      .replace(
        "models:",
        `  mistral:
    type: openai_compatible
    base_url: ${up.mistralURL}
    api_key_env: FAKE_CLOUD_KEY
    max_retries: 0
models:`,
      )
      .replace(
        "defaults:",
        `  mistral-small:
    provider: mistral
    context_window: 32000
    capabilities: { tools: true, json_schema: true, vision: false }
    price: { input_per_1m: 0.1, output_per_1m: 0.3 }
defaults:`,
      ),
  gateway: { files: { "routing.yaml": ROUTING }, waitForModels: false },
});

/** Starts a session whose last answer is the Gemini-like provider's streamed call. */
async function sessionAfterGeminiCall(session: string) {
  const client = hybrid.gw.client();
  const headers = { "x-session-id": session };
  const stream = await client.chat.completions.create({ model: "fake-gpt", stream: true, messages: [{ role: "user", content: "Weather here?" }] }, { headers });
  for await (const _ of stream);
  const result = { role: "tool" as const, tool_call_id: CALL.id, content: "Sunny, 21 °C." };
  return { client, headers, result };
}

const lastCall = (messages: SentMessage[] | undefined) => callsOf(messages ?? []).at(-1);

describe("a stored call's vendor fields when the session moves to another provider", () => {
  it("are left out for the other provider and go back to the provider that wrote the call", async () => {
    const { client, headers, result } = await sessionAfterGeminiCall("across-providers");
    const next = await client.chat.completions.create({ model: "mistral-small", messages: [result] }, { headers });
    expect(next.choices[0]!.message.content).toBe("Done.");
    expect(lastCall(received.mistral.at(-1))).toEqual(CALL);

    // Another model of the provider that wrote the call gets it as that provider sent it.
    const back = await client.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "And tomorrow?" }] }, { headers });
    expect(back.choices[0]!.message.content).toBe("Done.");
    expect(received.gemini.at(-1)!.map((m) => m.role)).toEqual(["user", "assistant", "tool", "assistant", "user"]);
    expect(lastCall(received.gemini.at(-1))).toEqual({ ...CALL, extra_content: EXTRA });
  });

  it.each([
    ["the other provider gets the call without them", "gpt-4o", "gemini", "mistral-small"],
    ["the provider that wrote the call gets them", "mistral-small", "mistral", "gpt-4o"],
  ] as const)("follow each attempt of a request: a fallback to %s", async (_, first, failing, answering) => {
    const { client, headers, result } = await sessionAfterGeminiCall(`fallback-from-${failing}`);
    failNext.add(failing);
    const next = await client.chat.completions.create({ model: first, messages: [result] }, { headers }).withResponse();
    expect(next.response.headers.get("x-switchyard-model")).toBe(answering);
    expect(next.data.choices[0]!.message.content).toBe("Done.");
    // Both attempts got the call, each as its provider takes it.
    expect(lastCall(received.gemini.at(-1))).toEqual({ ...CALL, extra_content: EXTRA });
    expect(lastCall(received.mistral.at(-1))).toEqual(CALL);
  });

  it("a history the client sends itself goes as the client sent it", async () => {
    const client = hybrid.gw.client();
    const call = { ...CALL, extra_content: EXTRA };
    const messages = [{ role: "user", content: "Weather here?" }, { role: "assistant", content: null, tool_calls: [call] }, { role: "tool", tool_call_id: CALL.id, content: "Sunny." }];
    await expect(client.chat.completions.create({ model: "mistral-small", messages: messages as never })).rejects.toMatchObject({ status: 422 });
    expect(lastCall(received.mistral.at(-1))).toEqual(call);
  });
});
