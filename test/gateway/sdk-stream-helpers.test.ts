/**
 * The OpenAI SDK's stream helpers (`chat.completions.stream`, `runTools`) against the cloud route, over
 * upstreams that stream in shapes OpenAI-compatible servers really send. `ChatCompletionStream`
 * assembles the answer from the chunks' fields (each tool call's `index`, the first delta's `role`)
 * and throws or loses calls where one is missing, so the gateway relays them complete.
 */
import type { ServerResponse } from "node:http";
import { describe, expect, it } from "vitest";
import { NO_FALLBACK_ROUTING, testModelsYaml, upstreamGateway } from "../support/gateway.js";
import { chunkFrame, startRawUpstream } from "../support/raw-upstream.js";

type SentMessage = { role: string; content?: unknown; tool_calls?: { id: string; function: { name: string; arguments: string } }[]; tool_call_id?: string };
const BASE = { id: "chatcmpl-shapes", created: 1_700_000_000, model: "upstream-gemini" };
const received: { messages: SentMessage[] }[] = [];

function eventStream(res: ServerResponse, frames: string[]): void {
  res.writeHead(200, { "content-type": "text/event-stream" });
  for (const frame of frames) res.write(frame);
  res.end("data: [DONE]\n\n");
}

/** Gemini's OpenAI-compatible stream of two calls: no `index` on any piece, the second call's arguments in two pieces, `stop` as its finish. */
const INDEXLESS_CALLS = [
  chunkFrame(BASE, { role: "assistant", tool_calls: [{ id: "call_weather", type: "function", function: { name: "get_weather", arguments: '{"unit":"C"}' } }] }, null),
  chunkFrame(BASE, { tool_calls: [{ id: "call_time", type: "function", function: { name: "get_time", arguments: '{"zone":' } }] }, null),
  chunkFrame(BASE, { tool_calls: [{ function: { arguments: '"UTC"}' } }] }, null),
  chunkFrame(BASE, {}, "stop"),
];

/** A server that repeats each call's name (with its id) on every piece, and the deprecated `function_call`'s. */
const REPEATED_NAMES = [
  chunkFrame(BASE, { role: "assistant", tool_calls: [{ index: 0, id: "call_weather", type: "function", function: { name: "get_weather", arguments: '{"unit":' } }] }, null),
  chunkFrame(BASE, { tool_calls: [{ index: 0, id: "call_weather", type: "function", function: { name: "get_weather", arguments: '"C"}' } }] }, null),
  chunkFrame(BASE, { tool_calls: [{ index: 1, id: "call_time", type: "function", function: { name: "get_time", arguments: "{}" } }] }, null),
  chunkFrame(BASE, { tool_calls: [{ index: 1, id: "call_time", type: "function", function: { name: "get_time", arguments: "" } }] }, null),
  chunkFrame(BASE, {}, "tool_calls"),
];
const REPEATED_FUNCTION_NAME = [
  chunkFrame(BASE, { role: "assistant", function_call: { name: "get_weather", arguments: '{"unit":' } }, null),
  chunkFrame(BASE, { function_call: { name: "get_weather", arguments: '"C"}' } }, null),
  chunkFrame(BASE, {}, "function_call"),
];

/**
 * First choices of streams as servers send them, by the marker that asks for each: llama.cpp's server
 * (older builds) without a role, servers that always send the field with `""` or `null`, a choice
 * without its index.
 */
const ROLELESS_STARTS = [
  ["no role", { index: 0, delta: { content: "Hel" }, finish_reason: null }],
  ["empty role", { index: 0, delta: { role: "", content: "Hel" }, finish_reason: null }],
  ["null role", { index: 0, delta: { role: null, content: "Hel", tool_calls: null }, finish_reason: null }],
  ["no choice index", { delta: { role: "assistant", content: "Hel" }, finish_reason: null }],
] as const;

/** Whole answers' choices without a role or index, by the marker that asks for each. */
const WHOLE_CHOICES = [
  ["whole, no role", { index: 0, message: { content: "Hello." }, finish_reason: "stop" }],
  ["whole, empty role", { index: 0, message: { role: "", content: "Hello." }, finish_reason: "stop" }],
  ["whole, no choice index", { message: { role: "assistant", content: "Hello." }, finish_reason: "stop" }],
] as const;

const cloud = upstreamGateway(
  () =>
    startRawUpstream((raw, res) => {
      const sent = JSON.parse(raw) as { messages: SentMessage[] };
      received.push(sent);
      const last = sent.messages.at(-1)!;
      if (last.role === "tool") return eventStream(res, [chunkFrame(BASE, { role: "assistant", content: "Sunny, noon." }, null), chunkFrame(BASE, {}, "stop")]);
      const question = String(last.content);
      if (question.includes("(indexless calls)")) return eventStream(res, INDEXLESS_CALLS);
      if (question.includes("(repeated names)")) return eventStream(res, REPEATED_NAMES);
      if (question.includes("(repeated function name)")) return eventStream(res, REPEATED_FUNCTION_NAME);
      if (question.includes("(usage on every chunk)")) {
        // MiniMax: a usage without token counts on every chunk of the answer, none with them, none on the finish.
        const noCounts = { usage: { total_tokens: 0, total_characters: 0 } };
        const frames = ["Once ", "upon ", "a ", "time."].map((content, i) => chunkFrame({ ...BASE, ...noCounts }, i === 0 ? { role: "assistant", content } : { content }, null));
        return eventStream(res, [...frames, chunkFrame(BASE, {}, "stop")]);
      }
      const whole = WHOLE_CHOICES.find(([marker]) => question.includes(`(${marker})`));
      if (whole) {
        // A server that answers with one JSON completion, whether or not the request streams.
        res.writeHead(200, { "content-type": "application/json" });
        return res.end(JSON.stringify({ ...BASE, object: "chat.completion", choices: [whole[1]], usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } }));
      }
      const roleless = ROLELESS_STARTS.find(([marker]) => question.includes(`(${marker})`));
      if (roleless) return eventStream(res, [`data: ${JSON.stringify({ ...BASE, object: "chat.completion.chunk", choices: [roleless[1]] })}\n\n`, chunkFrame(BASE, { content: "lo." }, null), chunkFrame(BASE, {}, "stop")]);
      eventStream(res, [chunkFrame(BASE, { role: "assistant", content: "Hello." }, null), chunkFrame(BASE, {}, "stop")]);
    }),
  { modelsYaml: (upstream) => testModelsYaml({ cloudBaseURL: upstream.baseURL }), gateway: { files: { "routing.yaml": NO_FALLBACK_ROUTING } } },
);

const TOOLS = [
  { type: "function" as const, function: { name: "get_weather", parameters: { type: "object", properties: { unit: { type: "string" } } } } },
  { type: "function" as const, function: { name: "get_time", parameters: { type: "object", properties: { zone: { type: "string" } } } } },
];

describe("streamed tool calls without an index (Gemini)", () => {
  it("reach ChatCompletionStream as the calls they are", async () => {
    const stream = cloud.gw.client().chat.completions.stream({ model: "cloud", messages: [{ role: "user", content: "Weather and time? (indexless calls)" }], tools: TOOLS });
    const message = await stream.finalMessage();
    expect(message.tool_calls).toEqual([
      { id: "call_weather", type: "function", function: { name: "get_weather", arguments: '{"unit":"C"}' } },
      { id: "call_time", type: "function", function: { name: "get_time", arguments: '{"zone":"UTC"}' } },
    ]);
  });

  it("run through runTools in a session: each call runs and its result goes back after the calls", async () => {
    received.length = 0;
    const ran: string[] = [];
    const tool = (name: string) => ({
      type: "function" as const,
      function: { name, description: `the ${name} tool`, parameters: { type: "object", properties: {} }, parse: JSON.parse, function: (args: unknown) => (ran.push(`${name} ${JSON.stringify(args)}`), `${name} done`) },
    });
    const runner = cloud.gw
      .client()
      .chat.completions.runTools(
        { model: "cloud", stream: true, messages: [{ role: "user", content: "Weather and time? (indexless calls)" }], tools: [tool("get_weather"), tool("get_time")] },
        { headers: { "x-session-id": "indexless-run" } },
      );
    expect(await runner.finalContent()).toBe("Sunny, noon.");
    expect(ran).toEqual(['get_weather {"unit":"C"}', 'get_time {"zone":"UTC"}']);
    const followUp = received[1]!.messages;
    expect(followUp.map((m) => m.role)).toEqual(["user", "assistant", "tool", "tool"]);
    expect(followUp[1]!.tool_calls?.map((call) => [call.id, call.function.name, call.function.arguments])).toEqual([
      ["call_weather", "get_weather", '{"unit":"C"}'],
      ["call_time", "get_time", '{"zone":"UTC"}'],
    ]);
    // The session kept the calls apart too: a turn sending only the results reads them after their calls.
    const session = (await (await fetch(`${cloud.gw.url}/v1/sessions/indexless-run`)).json()) as { messages: SentMessage[] };
    expect(session.messages[1]!.tool_calls?.map((call) => call.function.name)).toEqual(["get_weather", "get_time"]);
  });
});

describe("a stream that repeats each call's name on every piece (vLLM, some proxies)", () => {
  /** Each call's name as a client that joins the pieces reads it (as OpenAI streams a call: the name once, in its first piece). */
  async function joinedNames(question: string): Promise<string[]> {
    const stream = cloud.gw.client().chat.completions.stream({ model: "cloud", tools: TOOLS, messages: [{ role: "user", content: question }] });
    const names: string[] = [];
    stream.on("chunk", (chunk) => {
      const delta = chunk.choices[0]?.delta;
      for (const call of delta?.tool_calls ?? []) names[call.index] = (names[call.index] ?? "") + (call.function?.name ?? "");
      if (delta?.function_call?.name) names[0] = (names[0] ?? "") + delta.function_call.name;
    });
    await stream.done();
    return names;
  }

  it("names each call once in the chunks the client reads", async () => {
    expect(await joinedNames("Weather and time? (repeated names)")).toEqual(["get_weather", "get_time"]);
    expect(await joinedNames("Weather? (repeated function name)")).toEqual(["get_weather"]);
  });
});

describe("a stream whose first choice names no role or index", () => {
  it.each(ROLELESS_STARTS.map(([marker]) => marker))("(%s) is a whole answer for ChatCompletionStream", async (marker) => {
    const stream = cloud.gw.client().chat.completions.stream({ model: "cloud", messages: [{ role: "user", content: `Hi (${marker})` }] });
    const completion = await stream.finalChatCompletion();
    expect(completion.choices).toHaveLength(1);
    expect(completion.choices[0]!.message).toMatchObject({ role: "assistant", content: "Hello." });
    expect(completion.choices[0]!.finish_reason).toBe("stop");
  });
});

describe("a whole answer whose choice names no role or index", () => {
  const noTool = { type: "function" as const, function: { name: "never_called", description: "not needed", parameters: { type: "object", properties: {} }, parse: JSON.parse, function: () => "" } };

  it.each(["whole, no role", "whole, empty role"])("(%s) is the assistant's answer for runTools", async (marker) => {
    const runner = cloud.gw.client().chat.completions.runTools({ model: "cloud", messages: [{ role: "user", content: `Hi (${marker})` }], tools: [noTool] });
    expect(await runner.finalContent()).toBe("Hello.");
  });

  it("(whole, no choice index) relayed as a stream is a whole answer for ChatCompletionStream", async () => {
    const stream = cloud.gw.client().chat.completions.stream({ model: "cloud", messages: [{ role: "user", content: "Hi (whole, no choice index)" }] });
    const completion = await stream.finalChatCompletion();
    expect(completion.choices).toHaveLength(1);
    expect(completion.choices[0]!.message).toMatchObject({ role: "assistant", content: "Hello." });
  });
});

describe("a stream whose every chunk carries a usage without token counts (MiniMax)", () => {
  it("ends with one usage, with the gateway's counts, for finalChatCompletion()", async () => {
    const stream = cloud.gw.client().chat.completions.stream({ model: "cloud", messages: [{ role: "user", content: "A story (usage on every chunk)" }], stream_options: { include_usage: true } });
    const usages: unknown[] = [];
    stream.on("chunk", (chunk) => usages.push(chunk.usage));
    const completion = await stream.finalChatCompletion();
    expect(completion.choices[0]!.message.content).toBe("Once upon a time.");
    expect(completion.usage).toMatchObject({ prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number) });
    expect(completion.usage!.completion_tokens).toBeGreaterThan(0);
    // Counted once, at the end, as OpenAI sends it: every chunk before the last says `usage: null`.
    expect(usages.slice(0, -1).every((usage) => usage === null)).toBe(true);
  });
});
