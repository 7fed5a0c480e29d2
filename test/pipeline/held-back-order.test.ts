/**
 * Text the restorer holds back (it may be the start of a placeholder) goes out when the answer ends.
 * A finish chunk may carry the answer's last text (vLLM and TGI put the last token on it; a JSON
 * answer relayed to a stream request is one whole-message chunk): the held text goes after that
 * text, not before it. A stream that ends without a finish_reason still gets it. The client reads
 * what the session stores.
 */
import { describe, expect, it } from "vitest";
import { PseudonymVault } from "../../src/pii/index.js";
import { presentStream, type StreamEnd } from "../../src/pipeline/stages/answer.js";
import type { ChatCompletionChunk } from "../../src/providers/types.js";

type Finish = "stop" | "length" | "tool_calls" | null;
const chunk = (delta: ChatCompletionChunk.Choice.Delta, finish: Finish = null) =>
  ({ id: "c", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }] }) as ChatCompletionChunk;
const usageOnly = { id: "c", object: "chat.completion.chunk", created: 1, model: "m", choices: [], usage: { prompt_tokens: 5, completion_tokens: 4, total_tokens: 9 } } as ChatCompletionChunk;

async function relay(list: ChatCompletionChunk[], vault: PseudonymVault) {
  async function* chunks() {
    yield* list;
  }
  let end: StreamEnd | undefined;
  const out: ChatCompletionChunk[] = [];
  for await (const c of presentStream(chunks(), { vault, startedAt: performance.now(), onEnd: (e) => (end = e) })) out.push(structuredClone(c));
  const text = out.map((c) => c.choices[0]?.delta.content ?? "").join("");
  const args = out.map((c) => c.choices[0]?.delta.tool_calls?.[0]?.function?.arguments ?? "").join("");
  const finishes = out.map((c, i) => [i, c.choices[0]?.finish_reason] as const).filter(([, f]) => f);
  return { out, text, args, finishes, end: end! };
}

function vaultWith(type: string, value: string, bare = false): PseudonymVault {
  const vault = new PseudonymVault();
  const placeholder = vault.placeholderFor(type, value);
  if (bare) vault.handedOutBare(placeholder);
  return vault;
}

describe("text held back for a placeholder", () => {
  it("follows the finish chunk's own text, and the finish comes last", async () => {
    const vault = vaultWith("PERSON", "Ana Silva", true);
    const { out, text, finishes, end } = await relay([chunk({ role: "assistant", content: "Hello" }), chunk({ content: " and goodbye, PERSON_1" }, "stop")], vault);
    expect(text).toBe("Hello and goodbye, Ana Silva");
    expect(end.summary.message?.content).toBe(text);
    expect(finishes).toEqual([[out.length - 1, "stop"]]);
  });

  it("sends the finish chunk's logprobs once when its text is split from the finish", async () => {
    const vault = vaultWith("PERSON", "Ana Silva", true);
    const token = (t: string) => ({ token: t, logprob: -0.1, bytes: null, top_logprobs: [] });
    const last = chunk({ content: " bye, PERSON_1" }, "stop");
    last.choices[0]!.logprobs = { content: [token(" bye"), token(","), token(" PERSON_1")], refusal: null };
    const { out, text } = await relay([chunk({ role: "assistant", content: "Hello" }), last], vault);
    expect(text).toBe("Hello bye, Ana Silva");
    const tokens = out.flatMap((c) => c.choices[0]?.logprobs?.content ?? []).map((t) => t.token);
    expect(tokens).toEqual([" bye", ",", " PERSON_1"]);
  });

  it("keeps a whole-message chunk cut inside a placeholder in order", async () => {
    const vault = vaultWith("EMAIL_ADDRESS", "ana@example.com");
    const { out, text, end } = await relay([chunk({ role: "assistant", content: "Write to <EMAIL_ADDRESS_1> or to <EMAIL_ADDR" }, "length")], vault);
    expect(text).toBe("Write to ana@example.com or to <EMAIL_ADDR");
    expect(end.summary.message?.content).toBe(text);
    // The role opens the answer once, on its first chunk.
    expect(out.filter((c) => c.choices[0]?.delta.role)).toHaveLength(1);
    expect(out[0]?.choices[0]?.delta.role).toBe("assistant");
  });

  it("keeps a tool call's arguments in order when the finish chunk carries their last piece", async () => {
    const vault = vaultWith("EMAIL_ADDRESS", "ana@example.com");
    const call = (args: string, extra: object = {}) => ({ tool_calls: [{ index: 0, function: { arguments: args }, ...extra }] }) as ChatCompletionChunk.Choice.Delta;
    const { args, end } = await relay(
      [chunk(call('{"to":"<EMAIL_', { id: "call_1", type: "function", function: { name: "send", arguments: '{"to":"<EMAIL_' } })), chunk(call('ADDRESS_1>","cc":"<EMAIL'), "tool_calls")],
      vault,
    );
    expect(args).toBe('{"to":"ana@example.com","cc":"<EMAIL');
    const stored = end.summary.message;
    expect(stored?.role === "assistant" && stored.tool_calls?.[0]?.type === "function" ? stored.tool_calls[0].function.arguments : undefined).toBe(args);
  });

  it("is sent when the stream ends without a finish_reason", async () => {
    const vault = vaultWith("PERSON", "Ana Silva", true);
    const { text, end } = await relay([chunk({ role: "assistant", content: "Bye, " }), chunk({ content: "PERSON_1" })], vault);
    expect(text).toBe("Bye, Ana Silva");
    expect(end.summary.message?.content).toBe(text);
  });

  it("goes out before the usage chunk of a stream without a finish_reason", async () => {
    const vault = vaultWith("PERSON", "Ana Silva", true);
    const { out, text } = await relay([chunk({ role: "assistant", content: "Bye, " }), chunk({ content: "PERSON_1" }), usageOnly], vault);
    expect(text).toBe("Bye, Ana Silva");
    expect(out.at(-1)?.usage?.total_tokens).toBe(9);
    expect(out.at(-1)?.choices).toEqual([]);
  });
});
