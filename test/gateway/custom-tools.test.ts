/**
 * Custom tools (openai v5+) and the deprecated `function` role, end to end: the official OpenAI client
 * → gateway → fake OpenAI-compatible upstreams that record what they receive. Custom tool definitions
 * and choices pass through to the cloud untouched, personal data inside them (and inside custom tool
 * call inputs and function messages) leaves only as placeholders that come back restored, and the
 * local model refuses what it cannot do with a 400 naming the parameter.
 */
import type OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai.js";
import { NO_FALLBACK_ROUTING, startTestGateway, testModelsYaml, type TestGateway } from "../support/gateway.js";
import { chunkFrame, startRawUpstream } from "../support/raw-upstream.js";

type Params = OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming;
type Message = OpenAI.Chat.Completions.ChatCompletionMessageParam;

const EMAIL = "ann.lee@example.com";
const PLACEHOLDER = /<EMAIL_ADDRESS_\d+>/;

const NOTE_TOOL = {
  type: "custom" as const,
  custom: {
    name: "write_note",
    description: "Writes a free-form note into the ticket.",
    format: { type: "grammar" as const, grammar: { syntax: "lark" as const, definition: 'start: "note: " /[a-z ]+/' } },
  },
};

/**
 * An upstream that answers every request with one custom tool call whose input repeats the request's
 * last user message (as the gateway sent it, placeholders and all), whole or in pieces of 3 characters.
 */
interface ScriptedUpstream {
  baseURL: string;
  bodies: Array<{ messages: Array<Record<string, unknown>>; stream?: boolean }>;
  close(): Promise<void>;
}

async function startCustomCallUpstream(): Promise<ScriptedUpstream> {
  const bodies: ScriptedUpstream["bodies"] = [];
  const upstream = await startRawUpstream((raw, res) => {
    const body = JSON.parse(raw) as ScriptedUpstream["bodies"][number];
    bodies.push(body);
    const lastUser = [...body.messages].reverse().find((m) => m.role === "user");
    const input = typeof lastUser?.content === "string" ? lastUser.content : "";
    const base = { id: "chatcmpl-custom", created: 1_700_000_000, model: "scripted-upstream" };
    if (!body.stream) {
      const completion = {
        ...base,
        object: "chat.completion",
        choices: [
          {
            index: 0,
            message: { role: "assistant", content: null, refusal: null, tool_calls: [{ id: "call_c1", type: "custom", custom: { name: "write_note", input } }] },
            finish_reason: "tool_calls",
            logprobs: null,
          },
        ],
        usage: { prompt_tokens: 20, completion_tokens: 10, total_tokens: 30 },
      };
      res.writeHead(200, { "content-type": "application/json" });
      return res.end(JSON.stringify(completion));
    }
    res.writeHead(200, { "content-type": "text/event-stream" });
    res.write(chunkFrame(base, { role: "assistant", content: null, tool_calls: [{ index: 0, id: "call_c1", type: "custom", custom: { name: "write_note", input: "" } }] }, null));
    // Pieces of 3 characters split the placeholder, so the gateway must hold back and rejoin it.
    for (const piece of input.match(/[\s\S]{1,3}/g) ?? []) res.write(chunkFrame(base, { tool_calls: [{ index: 0, custom: { input: piece } }] }, null));
    res.write(chunkFrame(base, {}, "tool_calls"));
    res.end("data: [DONE]\n\n");
  });
  return { baseURL: upstream.baseURL, bodies, close: () => upstream.close() };
}

/** The test models plus `scripted-gpt`, a cloud model served by the custom-call upstream. */
function modelsYaml(fakeBaseURL: string, scriptedBaseURL: string): string {
  return testModelsYaml({ cloudBaseURL: fakeBaseURL, maxRetries: 0 }).replace(
    "models:\n",
    `  scripted:
    type: openai_compatible
    base_url: ${scriptedBaseURL}
    api_key_env: FAKE_CLOUD_KEY
    timeout_ms: 5000
    max_retries: 0
models:
  scripted-gpt:
    provider: scripted
    upstream_model: scripted-upstream
    context_window: 128000
    capabilities: { tools: true, json_schema: true, vision: true }
    price: { input_per_1m: 0.15, output_per_1m: 0.6 }
`,
  );
}

let fake: FakeOpenAI;
let scripted: ScriptedUpstream;
let gw: TestGateway;

beforeAll(async () => {
  // echo: the fake answers with the last user message as it received it, so a placeholder it got comes back.
  fake = await startFakeOpenAI({ echo: true });
  scripted = await startCustomCallUpstream();
  gw = await startTestGateway({ modelsYaml: modelsYaml(fake.baseURL, scripted.baseURL), files: { "routing.yaml": NO_FALLBACK_ROUTING } });
});
afterAll(async () => {
  await gw?.close();
  await fake?.close();
  await scripted?.close();
});
beforeEach(() => {
  fake.reset();
  scripted.bodies.length = 0;
});

const sentBody = () => fake.requests[0]!.body as Record<string, unknown> & { messages: Array<Record<string, unknown>> };

async function refusal(body: Params) {
  return gw
    .client()
    .chat.completions.create(body)
    .then(
      () => undefined,
      (error: unknown) => error,
    );
}

describe("custom tools on the cloud route", () => {
  it("passes custom tool definitions and a custom tool_choice through unchanged", async () => {
    const toolChoice = { type: "custom" as const, custom: { name: "write_note" } };
    const { response } = await gw
      .client()
      .chat.completions.create({ model: "cloud", messages: [{ role: "user", content: "Note that the printer is fixed." }], tools: [NOTE_TOOL], tool_choice: toolChoice })
      .withResponse();
    expect(response.status).toBe(200);
    expect(sentBody().tools).toEqual([NOTE_TOOL]);
    expect(sentBody().tool_choice).toEqual(toolChoice);
  });

  it("passes an allowed_tools choice naming a custom tool through unchanged", async () => {
    const toolChoice = { type: "allowed_tools" as const, allowed_tools: { mode: "auto" as const, tools: [{ type: "custom", custom: { name: "write_note" } }] } };
    await gw.client().chat.completions.create({ model: "cloud", messages: [{ role: "user", content: "Any news?" }], tools: [NOTE_TOOL], tool_choice: toolChoice });
    expect(sentBody().tool_choice).toEqual(toolChoice);
  });

  it("pseudonymizes personal data in a custom tool's description and keeps its name", async () => {
    const tool = { type: "custom" as const, custom: { name: "mail_owner", description: `Mails the owner, ${EMAIL}.` } };
    await gw.client().chat.completions.create({ model: "cloud", messages: [{ role: "user", content: "Tell the owner." }], tools: [tool] });
    expect(fake.requests[0]!.raw.toString("utf8")).not.toContain(EMAIL);
    const sent = (sentBody().tools as Array<typeof tool>)[0]!;
    expect(sent.custom.name).toBe("mail_owner");
    expect(sent.custom.description).toMatch(PLACEHOLDER);
  });

  it("sends a custom tool call's input pseudonymized, and restores the placeholder in the answer", async () => {
    const messages: Message[] = [
      { role: "user", content: "Write a note for the customer." },
      { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "custom", custom: { name: "write_note", input: `note: customer is ${EMAIL}` } }] },
      { role: "tool", tool_call_id: "call_1", content: "saved" },
      { role: "user", content: `Repeat: ${EMAIL}` },
    ];
    const answer = await gw.client().chat.completions.create({ model: "cloud", messages, tools: [NOTE_TOOL] });

    expect(fake.requests[0]!.raw.toString("utf8")).not.toContain(EMAIL);
    const call = (sentBody().messages[1]!.tool_calls as Array<{ id: string; type: string; custom: { name: string; input: string } }>)[0]!;
    expect(call).toMatchObject({ id: "call_1", type: "custom", custom: { name: "write_note" } });
    const placeholder = call.custom.input.match(PLACEHOLDER)?.[0];
    expect(call.custom.input).toBe(`note: customer is ${placeholder}`);
    // The same value has the same placeholder everywhere in the request, and the echoed answer gets the original back.
    expect(sentBody().messages[3]!.content).toBe(`Repeat: ${placeholder}`);
    expect(answer.choices[0]?.message.content).toBe(`Repeat: ${EMAIL}`);
  });

  it("relays a custom tool call the cloud model makes, with its placeholders restored", async () => {
    const ask: Params = { model: "scripted-gpt", messages: [{ role: "user", content: `Note to ${EMAIL}` }], tools: [NOTE_TOOL] };
    const answer = await gw.client().chat.completions.create(ask);
    expect(JSON.stringify(scripted.bodies[0])).not.toContain(EMAIL);
    expect(answer.choices[0]?.finish_reason).toBe("tool_calls");
    expect(answer.choices[0]?.message.tool_calls).toEqual([{ id: "call_c1", type: "custom", custom: { name: "write_note", input: `Note to ${EMAIL}` } }]);
  });

  it("relays a streamed custom tool call, restoring a placeholder split across chunks", async () => {
    const stream = await gw.client().chat.completions.create({ model: "scripted-gpt", messages: [{ role: "user", content: `Note to ${EMAIL}` }], tools: [NOTE_TOOL], stream: true });
    let input = "";
    let name = "";
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      // The SDK's chunk types know only function calls; a custom call streams under `custom`.
      for (const call of (chunk.choices[0]?.delta.tool_calls ?? []) as Array<{ custom?: { name?: string; input?: string } }>) {
        name += call.custom?.name ?? "";
        input += call.custom?.input ?? "";
      }
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(scripted.bodies[0]?.stream).toBe(true);
    expect(JSON.stringify(scripted.bodies[0])).not.toContain(EMAIL);
    expect(name).toBe("write_note");
    expect(input).toBe(`Note to ${EMAIL}`);
    expect(finish).toBe("tool_calls");
  });

  it("continues a session after a custom tool call, sending the stored call pseudonymized again", async () => {
    const session = { headers: { "x-session-id": `custom-tools-${Date.now()}` } };
    const first = await gw.client().chat.completions.create({ model: "scripted-gpt", messages: [{ role: "user", content: `Note to ${EMAIL}` }], tools: [NOTE_TOOL] }, session);
    const call = first.choices[0]!.message.tool_calls![0]!;
    // The client sends only its new turn: the tool's result. The stored assistant call is prepended.
    const second = await gw
      .client()
      .chat.completions.create({ model: "scripted-gpt", messages: [{ role: "tool", tool_call_id: call.id, content: "saved" }, { role: "user", content: "Thanks" }], tools: [NOTE_TOOL] }, session);
    expect(second.choices[0]?.message.tool_calls?.[0]).toMatchObject({ type: "custom" });
    const resent = scripted.bodies[1]!;
    expect(JSON.stringify(resent)).not.toContain(EMAIL);
    expect(resent.messages.map((m) => m.role)).toEqual(["user", "assistant", "tool", "user"]);
    expect(resent.messages[1]!.tool_calls).toEqual([{ id: "call_c1", type: "custom", custom: { name: "write_note", input: expect.stringMatching(/^Note to <EMAIL_ADDRESS_\d+>$/) } }]);
  });
});

describe("function role messages", () => {
  const messages: Message[] = [
    { role: "user", content: "Who owns ticket 42?" },
    { role: "assistant", content: null, function_call: { name: "ticket_owner", arguments: '{"ticket":42}' } },
    { role: "function", name: "ticket_owner", content: `The owner is ${EMAIL}.` },
  ];

  it("reach the cloud as sent, their content pseudonymized", async () => {
    const answer = await gw.client().chat.completions.create({ model: "cloud", messages });
    expect(answer.choices[0]?.message.content).toBeDefined();
    expect(fake.requests[0]!.raw.toString("utf8")).not.toContain(EMAIL);
    const sent = sentBody().messages[2]!;
    expect(sent).toMatchObject({ role: "function", name: "ticket_owner" });
    expect(sent.content).toMatch(/^The owner is <EMAIL_ADDRESS_\d+>\.$/);
    expect(sentBody().messages[1]!.function_call).toEqual({ name: "ticket_owner", arguments: '{"ticket":42}' });
  });

  it("are refused by the local model with a 400 naming the message", async () => {
    const error = await refusal({ model: "local", messages });
    // The first tool history named is the call the function message answers.
    expect(error).toMatchObject({ status: 400, code: "unsupported_parameter", param: "messages[1].function_call" });
    expect(fake.requests).toHaveLength(0);
    const resultOnly = await refusal({ model: "local", messages: [messages[0]!, messages[2]!] });
    expect(resultOnly).toMatchObject({ status: 400, code: "unsupported_parameter", param: "messages[1].role" });
  });
});

describe("custom tools on the local route", () => {
  it("are refused with a 400 naming tools", async () => {
    const error = await refusal({ model: "local", messages: [{ role: "user", content: "Write a note." }], tools: [NOTE_TOOL] });
    expect(error).toMatchObject({ status: 400, code: "unsupported_parameter", param: "tools" });
  });

  it("refuse a custom tool call in the history with a 400 naming it", async () => {
    const error = await refusal({
      model: "local",
      messages: [
        { role: "user", content: "Write a note." },
        { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "custom", custom: { name: "write_note", input: "note: done" } }] },
        { role: "user", content: "Thanks" },
      ],
    });
    expect(error).toMatchObject({ status: 400, code: "unsupported_parameter", param: "messages[1].tool_calls" });
    expect(fake.requests).toHaveLength(0);
  });
});
