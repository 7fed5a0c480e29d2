/**
 * What a session keeps of an answer's tool calls is what the provider needs back on the next turn.
 * Gemini's OpenAI-compatible API sends `extra_content: {google: {thought_signature}}` beside a call
 * and answers 400 when the next request's assistant message lacks it: a whole answer's call kept it,
 * a streamed one lost it. A whole answer's call without `type` (some servers leave it out) was dropped
 * from the session, and its placeholders were not restored, where a streamed one was kept. A call that
 * is no whole function or custom call (no string name or text, no id) reaches the client as it came and
 * stays out of the session, its turn stored and its request recorded.
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { NO_FALLBACK_ROUTING, testModelsYaml, upstreamGateway } from "../support/gateway.js";
import { chunkFrame, startRawUpstream } from "../support/raw-upstream.js";
import { usageRecords } from "../support/usage-api.js";

type SentMessage = { role: string; content?: unknown; tool_calls?: Record<string, unknown>[] };
const BASE = { id: "chatcmpl-vendor", created: 1_700_000_000, model: "upstream-gemini" };
const EMAIL = "ann.lee@example.com";

/** An opaque signature as Gemini sends one: base64 of a few hundred bytes. */
function signature(seed: string): string {
  let bytes = Buffer.alloc(0);
  for (let i = 0; bytes.length < 300; i++) bytes = Buffer.concat([bytes, createHash("sha512").update(`${seed}${i}`).digest()]);
  return bytes.toString("base64");
}
const SIG_WEATHER = signature("weather");
const SIG_TIME = signature("time");
const vendor = (sig: string) => ({ google: { thought_signature: sig } });

const received: { messages: SentMessage[] }[] = [];

/** Whole answers' calls with neither a type nor a function or custom object, by the marker that asks for each. */
const BARE_CALLS = [
  ["id alone", { id: "call_x" }],
  ["id and index", { id: "call_x", index: 0 }],
  ["null function", { id: "call_x", function: null }],
] as const;

/**
 * Whole answers' calls, with a type or without, whose object lacks a string name or arguments (input),
 * by the marker that asks for each: no request schema's tool call, so no name or text to read.
 */
const INCOMPLETE_CALLS = [
  ["function without arguments", { id: "call_x", function: { name: "send" } }],
  ["empty function", { id: "call_x", function: {} }],
  ["numeric arguments", { id: "call_x", function: { name: "send", arguments: 5 } }],
  ["function list", { id: "call_x", function: [] }],
  ["custom without input", { id: "call_x", custom: { name: "send" } }],
  ["typed id alone", { id: "call_x", type: "function" }],
  ["typed null function", { id: "call_x", type: "function", function: null }],
  ["typed custom alone", { id: "call_x", type: "custom" }],
  ["typed function without arguments", { id: "call_x", type: "function", function: { name: "send" } }],
  ["typed call without id", { type: "function", function: { name: "send", arguments: "{}" } }],
] as const;

const PASSED_AS_THEY_CAME = [...BARE_CALLS, ...INCOMPLETE_CALLS];

/** Whole answers' deprecated single calls without a string name or arguments, by the marker that asks for each. */
const INCOMPLETE_FUNCTION_CALLS = [
  ["function_call without arguments", { name: "send" }],
  ["function_call with numeric arguments", { name: "send", arguments: 5 }],
] as const;

/**
 * Streamed calls' pieces with no name, or with fields that are not strings, by the marker that asks for
 * each, with the call the session keeps: the collected name and text are strings whatever the pieces
 * were; an id that is not one leaves the call out, as a whole answer's (`INCOMPLETE_CALLS`).
 */
const ODD_STREAMED_CALLS = [
  [
    "streamed without a name",
    [{ index: 0, id: "call_x", type: "function", function: { arguments: "" } }, { index: 0, function: { arguments: "{}" } }],
    { id: "call_x", type: "function", function: { name: "", arguments: "{}" } },
  ],
  [
    "streamed numeric pieces",
    [{ index: 0, id: "call_x", function: { name: 5, arguments: 7 } }, { index: 0, function: { arguments: 8 } }],
    { id: "call_x", type: "function", function: { name: "5", arguments: "78" } },
  ],
  ["streamed numeric id", [{ index: 0, id: 5, type: "function", function: { name: "send", arguments: "{}" } }], undefined],
] as const;

const cloud = upstreamGateway(
  () =>
    startRawUpstream((raw, res) => {
      const sent = JSON.parse(raw) as { stream?: boolean; messages: SentMessage[] };
      received.push(sent);
      const question = JSON.stringify(sent.messages.at(-1));
      const placeholder = question.match(/<EMAIL_ADDRESS_\d+>/)?.[0];
      if (sent.messages.at(-1)!.role !== "user" || question.includes("plain")) {
        res.writeHead(200, { "content-type": "application/json" });
        const message = { role: "assistant", content: "Done.", refusal: null };
        return res.end(JSON.stringify({ ...BASE, object: "chat.completion", choices: [{ index: 0, message, finish_reason: "stop", logprobs: null }] }));
      }
      if (question.includes("(streamed without its type)")) {
        res.writeHead(200, { "content-type": "text/event-stream" });
        res.write(chunkFrame(BASE, { role: "assistant", content: null }, null));
        res.write(chunkFrame(BASE, { tool_calls: [{ index: 0, id: "call_find", function: { name: "find", arguments: "" }, extra_content: vendor(SIG_TIME) }] }, null));
        res.write(chunkFrame(BASE, { tool_calls: [{ index: 0, function: { arguments: "{}" } }] }, null));
        res.write(chunkFrame(BASE, {}, "tool_calls"));
        return res.end("data: [DONE]\n\n");
      }
      if (question.includes("(proto field)")) {
        // JSON with a vendor field named `__proto__`: parsed, it is an own field of the piece.
        const piece = JSON.parse(`{"index":0,"id":"call_proto","type":"function","function":{"name":"lookup","arguments":"{}"},"__proto__":{"polluted":true}}`) as object;
        res.writeHead(200, { "content-type": "text/event-stream" });
        res.write(chunkFrame(BASE, { tool_calls: [piece] }, null));
        res.write(chunkFrame(BASE, {}, "tool_calls"));
        return res.end("data: [DONE]\n\n");
      }
      if (question.includes("many fields")) {
        // A server that adds a new vendor field with every piece.
        res.writeHead(200, { "content-type": "text/event-stream" });
        res.write(chunkFrame(BASE, { tool_calls: [{ index: 0, id: "call_many", type: "function", function: { name: "lookup", arguments: "" } }] }, null));
        for (let i = 0; i < 20; i++) res.write(chunkFrame(BASE, { tool_calls: [{ index: 0, function: { arguments: i === 0 ? "{}" : "" }, [`x_vendor_${i}`]: i }] }, null));
        res.write(chunkFrame(BASE, {}, "tool_calls"));
        return res.end("data: [DONE]\n\n");
      }
      const odd = ODD_STREAMED_CALLS.find(([marker]) => question.includes(`(${marker})`));
      if (odd) {
        res.writeHead(200, { "content-type": "text/event-stream" });
        for (const piece of odd[1]) res.write(chunkFrame(BASE, { tool_calls: [piece] }, null));
        res.write(chunkFrame(BASE, {}, "tool_calls"));
        return res.end("data: [DONE]\n\n");
      }
      if (question.includes("(call without an id)")) {
        res.writeHead(200, { "content-type": "application/json" });
        const call = { type: "function", function: { name: "send_mail", arguments: JSON.stringify({ to: placeholder ?? "nobody" }) } };
        const message = { role: "assistant", content: null, refusal: null, tool_calls: [call] };
        return res.end(JSON.stringify({ ...BASE, object: "chat.completion", choices: [{ index: 0, message, finish_reason: "tool_calls", logprobs: null }] }));
      }
      const incompleteFunctionCall = INCOMPLETE_FUNCTION_CALLS.find(([marker]) => question.includes(`(${marker})`));
      if (incompleteFunctionCall) {
        res.writeHead(200, { "content-type": "application/json" });
        const message = { role: "assistant", content: null, refusal: null, function_call: incompleteFunctionCall[1] };
        return res.end(JSON.stringify({ ...BASE, object: "chat.completion", choices: [{ index: 0, message, finish_reason: "function_call", logprobs: null }] }));
      }
      const bare = PASSED_AS_THEY_CAME.find(([marker]) => question.includes(`(${marker})`));
      if (bare) {
        res.writeHead(200, { "content-type": "application/json" });
        const message = { role: "assistant", content: null, refusal: null, tool_calls: [bare[1]] };
        return res.end(JSON.stringify({ ...BASE, object: "chat.completion", choices: [{ index: 0, message, finish_reason: "tool_calls", logprobs: null }] }));
      }
      if (!sent.stream) {
        res.writeHead(200, { "content-type": "application/json" });
        const call = { id: "call_mail", function: { name: "send_mail", arguments: JSON.stringify({ to: placeholder ?? "nobody" }) }, extra_content: vendor(SIG_WEATHER) };
        // A server that sends the type, as OpenAI does, or one that leaves it out.
        const typed = question.includes("(with its type)") ? { ...call, type: "function" } : call;
        const message = { role: "assistant", content: null, refusal: null, tool_calls: [typed] };
        return res.end(JSON.stringify({ ...BASE, object: "chat.completion", choices: [{ index: 0, message, finish_reason: "tool_calls", logprobs: null }] }));
      }
      // Two calls in parallel, their pieces interleaved; each call's first piece carries its signature.
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write(chunkFrame(BASE, { role: "assistant", content: null }, null));
      res.write(chunkFrame(BASE, { tool_calls: [{ index: 0, id: "call_weather", type: "function", function: { name: "get_weather", arguments: "" }, extra_content: vendor(SIG_WEATHER) }] }, null));
      res.write(chunkFrame(BASE, { tool_calls: [{ index: 1, id: "call_time", type: "function", function: { name: "get_time", arguments: "" }, extra_content: vendor(SIG_TIME) }] }, null));
      res.write(chunkFrame(BASE, { tool_calls: [{ index: 0, function: { arguments: '{"unit":' } }] }, null));
      res.write(chunkFrame(BASE, { tool_calls: [{ index: 1, function: { arguments: '{"zone":"UTC"}' } }] }, null));
      // A later piece naming a call's own fields again, or a vendor field already kept, changes neither.
      res.write(chunkFrame(BASE, { tool_calls: [{ index: 0, function: { arguments: '"celsius"}' }, extra_content: vendor("later") }] }, null));
      res.write(chunkFrame(BASE, {}, "tool_calls"));
      res.end("data: [DONE]\n\n");
    }),
  {
    modelsYaml: (raw) => testModelsYaml({ cloudBaseURL: raw.baseURL, maxRetries: 0 }),
    gateway: { files: { "routing.yaml": NO_FALLBACK_ROUTING }, waitForModels: false },
  },
);

const lastAssistant = () => received.at(-1)!.messages.find((m) => m.role === "assistant")!;

/** The case `marker` names, asked with personal data in the question and without. */
function withAndWithoutPii<T>(marker: string, expected: T): [string, T, string][] {
  return [
    [marker, expected, `Mail ${EMAIL} now (${marker}).`],
    [marker, expected, `Send the report now (${marker}).`],
  ];
}

const sessionFor = (prefix: string, marker: string, question: string) => `${prefix}-${marker}-${question.includes("@") ? "pii" : "plain"}`.replaceAll(" ", "-");

/** The statuses of the session's usage records, once its two requests are recorded. */
async function recordedStatuses(session: string): Promise<string[]> {
  const ofSession = (row: Record<string, string>) => row.session === session;
  return (await usageRecords(cloud.gw.url, "unused-key", 2, ofSession)).filter(ofSession).map((row) => row.status!);
}

/** The streamed answer's call to `question`, as the session's next turn (its result) sends it back. */
async function streamedCallSentBack(session: string, question: string, callId: string): Promise<Record<string, unknown>> {
  const client = cloud.gw.client();
  const headers = { "x-session-id": session };
  const stream = await client.chat.completions.create({ model: "fake-gpt", stream: true, messages: [{ role: "user", content: question }] }, { headers });
  for await (const _chunk of stream);
  await client.chat.completions.create({ model: "fake-gpt", messages: [{ role: "tool", tool_call_id: callId, content: "Found." }] }, { headers });
  return lastAssistant().tool_calls![0]!;
}

describe("a streamed answer's tool calls with vendor fields", () => {
  it("go back to the provider with the session's next turn as the provider sent them", async () => {
    const client = cloud.gw.client();
    const headers = { "x-session-id": "vendor-streamed" };
    const stream = await client.chat.completions.create({ model: "fake-gpt", stream: true, messages: [{ role: "user", content: "Weather and time here?" }] }, { headers });
    const names: string[] = [];
    for await (const chunk of stream) for (const call of chunk.choices[0]?.delta.tool_calls ?? []) if (call.function?.name) names.push(call.function.name);
    expect(names).toEqual(["get_weather", "get_time"]);

    const results = [
      { role: "tool" as const, tool_call_id: "call_weather", content: "Sunny, 21 °C." },
      { role: "tool" as const, tool_call_id: "call_time", content: "14:05" },
    ];
    const next = await client.chat.completions.create({ model: "fake-gpt", messages: results }, { headers });
    expect(next.choices[0]!.message.content).toBe("Done.");
    expect(received.at(-1)!.messages.map((m) => m.role)).toEqual(["user", "assistant", "tool", "tool"]);
    expect(lastAssistant().tool_calls).toEqual([
      { id: "call_weather", type: "function", function: { name: "get_weather", arguments: '{"unit":"celsius"}' }, extra_content: vendor(SIG_WEATHER) },
      { id: "call_time", type: "function", function: { name: "get_time", arguments: '{"zone":"UTC"}' }, extra_content: vendor(SIG_TIME) },
    ]);
  });

  it("are kept up to a bound: a server adding one with every piece does not grow the stored turn", async () => {
    const call = await streamedCallSentBack("vendor-many", "Look it up (many fields).", "call_many");
    expect(call).toMatchObject({ id: "call_many", type: "function", function: { name: "lookup", arguments: "{}" } });
    expect(Object.keys(call).filter((field) => field.startsWith("x_vendor_"))).toEqual(Array.from({ length: 8 }, (_, i) => `x_vendor_${i}`));
  });
});

describe("a streamed call's vendor field named __proto__", () => {
  it("is kept as a field of the call, not taken as the call's prototype", async () => {
    const call = await streamedCallSentBack("vendor-proto", "Look it up (proto field).", "call_proto");
    expect(call).toMatchObject({ id: "call_proto", type: "function", function: { name: "lookup", arguments: "{}" } });
    expect(Object.getOwnPropertyDescriptor(call, "__proto__")?.value).toEqual({ polluted: true });
  });
});

describe("a whole answer's tool call", () => {
  it.each([
    ["with its type", "typed"],
    ["without its type", "untyped"],
  ])("reaches the client restored and goes back with the session's next turn, vendor field kept (%s)", async (marker, session) => {
    const client = cloud.gw.client();
    const headers = { "x-session-id": `vendor-whole-${session}` };
    const answer = await client.chat.completions.create({ model: "fake-gpt", messages: [{ role: "user", content: `Mail ${EMAIL} the report (${marker}).` }] }, { headers });
    const call = answer.choices[0]!.message.tool_calls![0]! as { function: { arguments: string } };
    expect(JSON.parse(call.function.arguments)).toEqual({ to: EMAIL });

    await client.chat.completions.create({ model: "fake-gpt", messages: [{ role: "tool", tool_call_id: "call_mail", content: "Sent." }] }, { headers });
    expect(received.at(-1)!.messages.map((m) => m.role)).toEqual(["user", "assistant", "tool"]);
    const [stored] = lastAssistant().tool_calls!;
    expect(stored).toMatchObject({ id: "call_mail", type: "function", function: { name: "send_mail" }, extra_content: vendor(SIG_WEATHER) });
    // Pseudonymized again on its way out, as the rest of the history is.
    expect(JSON.stringify(received.at(-1))).not.toContain(EMAIL);
    expect(JSON.parse((stored!.function as { arguments: string }).arguments)).toEqual({ to: expect.stringMatching(/^<EMAIL_ADDRESS_\d+>$/) });
  });
});

describe("a client that resends the history itself", () => {
  it("has its calls' vendor fields forwarded, scanned for personal data like the rest", async () => {
    const client = cloud.gw.client();
    const call = { id: "call_1", type: "function" as const, function: { name: "lookup", arguments: "{}" }, extra_content: { google: { thought_signature: SIG_TIME }, note: `ask ${EMAIL}` } };
    await client.chat.completions.create({
      model: "fake-gpt",
      messages: [
        { role: "user", content: "Look it up (plain)." },
        { role: "assistant", content: null, tool_calls: [call] } as never,
        { role: "tool", tool_call_id: "call_1", content: "Found." },
      ],
    });
    const [sent] = lastAssistant().tool_calls!;
    const extra = sent!.extra_content as { google: unknown; note: string };
    expect(extra.google).toEqual({ thought_signature: SIG_TIME });
    expect(extra.note).toMatch(/^ask <EMAIL_ADDRESS_\d+>$/);
  });
});

describe("a call from a server that leaves its type out", () => {
  it("reaches the client typed, so the official client's stream helper takes it (streamed)", async () => {
    const stream = cloud.gw.client().chat.completions.stream({ model: "fake-gpt", messages: [{ role: "user", content: "Find it (streamed without its type)." }] });
    const final = await stream.finalChatCompletion();
    expect(final.choices[0]!.message.tool_calls).toMatchObject([{ id: "call_find", type: "function", function: { name: "find", arguments: "{}" } }]);
  });

  it("reaches the client typed, so the history the client sends back is accepted (whole)", async () => {
    const client = cloud.gw.client();
    const question = { role: "user" as const, content: "Mail the report (without its type)." };
    const answer = await client.chat.completions.create({ model: "fake-gpt", messages: [question] });
    const message = answer.choices[0]!.message;
    expect(message.tool_calls).toMatchObject([{ id: "call_mail", type: "function", extra_content: vendor(SIG_WEATHER) }]);
    const next = await client.chat.completions.create({ model: "fake-gpt", messages: [question, message, { role: "tool", tool_call_id: "call_mail", content: "Sent." }] });
    expect(next.choices[0]!.message.content).toBe("Done.");
  });
});

describe("a whole answer's call that is no whole function or custom call (no type and no object, or no string name or text)", () => {
  it.each(PASSED_AS_THEY_CAME.flatMap(([marker, call]) => withAndWithoutPii(marker, call)))("reaches the client as it came, stays out of the session and is recorded (%s: %j; %s)", async (marker, call, question) => {
    const client = cloud.gw.client();
    const session = sessionFor("bare", marker, question);
    const headers = { "x-session-id": session };
    const answer = await client.chat.completions.create({ model: "fake-gpt", messages: [{ role: "user", content: question }] }, { headers });
    expect(answer.choices[0]!.message.tool_calls).toEqual([call]);

    // The save succeeded: the next turn has the first exchange, the call left out as it was before.
    const next = await client.chat.completions.create({ model: "fake-gpt", messages: [{ role: "user", content: "And now (plain)?" }] }, { headers });
    expect(next.choices[0]!.message.content).toBe("Done.");
    const history = received.at(-1)!.messages;
    expect(history.map((m) => m.role)).toEqual(["user", "assistant", "user"]);
    expect(history[1]!.tool_calls).toBeUndefined();

    // The upstream reported no usage: both requests are recorded with the gateway's count.
    expect(await recordedStatuses(session)).toEqual(["200", "200"]);
  });
});

describe("a whole answer's call without an id", () => {
  it("is counted in the gateway's own token count when the upstream reports none, with no placeholders in the request", async () => {
    const session = "unidentified-call-plain";
    await cloud.gw.client().chat.completions.create({ model: "fake-gpt", messages: [{ role: "user", content: "Send the report now (call without an id)." }] }, { headers: { "x-session-id": session } });
    const ofSession = (row: Record<string, string>) => row.session === session;
    const record = (await usageRecords(cloud.gw.url, "unused-key", 1, ofSession)).find(ofSession);
    // The answer is the call alone (no content): its name and arguments are all there is to count.
    expect(Number(record!.completion_tokens)).toBeGreaterThan(0);
  });

  it("reaches the client with its placeholders restored, and stays out of the session", async () => {
    const client = cloud.gw.client();
    const headers = { "x-session-id": "unidentified-call" };
    const answer = await client.chat.completions.create({ model: "fake-gpt", messages: [{ role: "user", content: `Mail ${EMAIL} now (call without an id).` }] }, { headers });
    const call = answer.choices[0]!.message.tool_calls![0] as { id?: string; function: { arguments: string } };
    expect(call.id).toBeUndefined();
    expect(JSON.parse(call.function.arguments)).toEqual({ to: EMAIL });

    await client.chat.completions.create({ model: "fake-gpt", messages: [{ role: "user", content: "And now (plain)?" }] }, { headers });
    const history = received.at(-1)!.messages;
    expect(history.map((m) => m.role)).toEqual(["user", "assistant", "user"]);
    expect(history[1]!.tool_calls).toBeUndefined();
  });
});

describe("a whole answer's deprecated function_call without a string name or arguments", () => {
  it.each(INCOMPLETE_FUNCTION_CALLS.flatMap(([marker, call]) => withAndWithoutPii(marker, call)))("reaches the client as it came, stays out of the session and is recorded (%s: %j; %s)", async (marker, call, question) => {
    const client = cloud.gw.client();
    const session = sessionFor("function-call", marker, question);
    const headers = { "x-session-id": session };
    const answer = await client.chat.completions.create({ model: "fake-gpt", messages: [{ role: "user", content: question }] }, { headers });
    expect(answer.choices[0]!.message.function_call).toEqual(call);

    await client.chat.completions.create({ model: "fake-gpt", messages: [{ role: "user", content: "And now (plain)?" }] }, { headers });
    const history = received.at(-1)!.messages;
    expect(history.map((m) => m.role)).toEqual(["user", "assistant", "user"]);
    expect((history[1] as { function_call?: unknown }).function_call).toBeUndefined();
    expect(await recordedStatuses(session)).toEqual(["200", "200"]);
  });
});

describe("a streamed call with no name, or pieces that are not strings", () => {
  it.each(ODD_STREAMED_CALLS.flatMap(([marker, , kept]) => withAndWithoutPii(marker, kept)))("reaches the client, and the turn is stored and recorded (%s: %j; %s)", async (marker, kept, question) => {
    const client = cloud.gw.client();
    const session = sessionFor("odd", marker, question);
    const headers = { "x-session-id": session };
    const stream = await client.chat.completions.create({ model: "fake-gpt", stream: true, messages: [{ role: "user", content: question }] }, { headers });
    let finish: string | null = null;
    for await (const chunk of stream) finish = chunk.choices[0]?.finish_reason ?? finish;
    expect(finish).toBe("tool_calls");

    // The next turn is saved after the first: both are in the session, the call as collected (or left out).
    await client.chat.completions.create({ model: "fake-gpt", messages: [{ role: "user", content: "And now (plain)?" }] }, { headers });
    const stored = ((await (await fetch(`${cloud.gw.url}/v1/sessions/${session}`)).json()) as { messages: SentMessage[] }).messages;
    expect(stored.map((m) => m.role)).toEqual(["user", "assistant", "user", "assistant"]);
    expect(stored[0]!.content).toBe(question);
    expect(stored[1]!.tool_calls).toEqual(kept === undefined ? undefined : [kept]);
    expect(await recordedStatuses(session)).toEqual(["200", "200"]);
  });
});
