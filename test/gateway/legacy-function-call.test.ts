/**
 * The deprecated single function call (`message.function_call`, `delta.function_call` when streaming),
 * which the OpenAI API still answers with when a client sends `functions`: end to end, the official
 * OpenAI client → gateway → an upstream that calls the function with the request's last user message
 * (as the gateway sent it, placeholders and all). The client gets the call with the original values
 * back, as it would in `tool_calls`.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { NO_FALLBACK_ROUTING, upstreamGateway } from "../support/gateway.js";
import { startRawUpstream } from "../support/raw-upstream.js";
import { FUNCTIONS, legacyModelsYaml, writeLegacyAnswer } from "./legacy-call-upstream.js";

const EMAIL = "ann.lee@example.com";
const ask = { model: "legacy-gpt", messages: [{ role: "user" as const, content: `Mail ${EMAIL}` }], functions: FUNCTIONS };

interface LegacyUpstream {
  baseURL: string;
  /** The raw bodies the upstream received. */
  bodies: string[];
  close(): Promise<void>;
}

/**
 * Answers every request with `send_mail({"to": <last user message>})`, streamed in pieces of 3
 * characters. `max_tokens` cuts the arguments to that many characters, as a model stopped at its limit.
 */
async function startAlwaysCallingUpstream(): Promise<LegacyUpstream> {
  const bodies: string[] = [];
  const upstream = await startRawUpstream((raw, res) => {
    bodies.push(raw);
    const body = JSON.parse(raw) as { stream?: boolean; max_tokens?: number; messages: Array<{ role: string; content?: unknown }> };
    const lastUser = [...body.messages].reverse().find((m) => m.role === "user");
    const args = JSON.stringify({ to: typeof lastUser?.content === "string" ? lastUser.content : "" }).slice(0, body.max_tokens);
    writeLegacyAnswer(res, body.stream, { call: { name: "send_mail", arguments: args }, text: null, finishReason: body.max_tokens ? "length" : "function_call" });
  });
  return { baseURL: upstream.baseURL, bodies, close: () => upstream.close() };
}


const legacy = upstreamGateway(startAlwaysCallingUpstream, {
  modelsYaml: (upstream) => legacyModelsYaml(upstream.baseURL, { onHost: false }),
  gateway: { files: { "routing.yaml": NO_FALLBACK_ROUTING } },
});
beforeEach(() => {
  legacy.upstream.bodies.length = 0;
});

/** The upstream saw only a placeholder, so the answer's arguments carried one for the gateway to restore. */
function expectSentPseudonymized(): void {
  expect(legacy.upstream.bodies).toHaveLength(1);
  expect(legacy.upstream.bodies[0]).not.toContain(EMAIL);
  expect(legacy.upstream.bodies[0]).toMatch(/Mail <EMAIL_ADDRESS_\d+>/);
}

async function streamedCall(body: typeof ask & { stream: true; max_tokens?: number }): Promise<{ name: string; args: string; finish: string | undefined }> {
  const stream = await legacy.gw.client().chat.completions.create(body);
  let name = "";
  let args = "";
  let finish: string | undefined;
  for await (const chunk of stream) {
    const choice = chunk.choices[0];
    name += choice?.delta.function_call?.name ?? "";
    args += choice?.delta.function_call?.arguments ?? "";
    finish = choice?.finish_reason ?? finish;
  }
  return { name, args, finish };
}

describe("a cloud answer with the deprecated function_call", () => {
  it("reaches the client with its arguments' placeholders restored", async () => {
    const answer = await legacy.gw.client().chat.completions.create(ask);
    expectSentPseudonymized();
    const choice = answer.choices[0]!;
    expect(choice.finish_reason).toBe("function_call");
    expect(choice.message.function_call?.name).toBe("send_mail");
    expect(JSON.parse(choice.message.function_call!.arguments)).toEqual({ to: `Mail ${EMAIL}` });
  });

  it("streamed, reaches the client with a placeholder split across chunks restored", async () => {
    const { name, args, finish } = await streamedCall({ ...ask, stream: true });
    expectSentPseudonymized();
    expect(name).toBe("send_mail");
    expect(JSON.parse(args)).toEqual({ to: `Mail ${EMAIL}` });
    expect(finish).toBe("function_call");
  });

  it("streamed and cut short inside a placeholder, reaches the client without losing the held-back piece", async () => {
    // `{"to":"Mail ` is 12 characters: the cut falls inside the placeholder, which the gateway held back
    // waiting for its end; the stream ends, and what was held goes out before the finish.
    const { args, finish } = await streamedCall({ ...ask, stream: true, max_tokens: 18 });
    expectSentPseudonymized();
    expect(args).toBe('{"to":"Mail <EMAIL');
    expect(finish).toBe("length");
  });
});
