/**
 * The prompt-token estimate routing decides on (`features.promptTokens`: `prompt_tokens_above/below`
 * rules, the context-window check) counts what a provider puts in the prompt and bills: the calls a
 * conversation holds (`tool_calls` arguments, custom tool input, the deprecated `function_call`) and
 * the function definitions offered, through `tools` or the deprecated `functions`.
 */
import { describe, expect, it } from "vitest";
import { fakeCloudGateway } from "../support/gateway.js";

const cloud = fakeCloudGateway();

interface DryRun {
  route: string;
  model: string;
  reasons: string[];
  features: { promptTokens: number };
}

async function route(body: object): Promise<DryRun> {
  const response = await fetch(`${cloud.gw.url}/v1/route`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  expect(response.status).toBe(200);
  return (await response.json()) as DryRun;
}

/** About 2,000 tokens of text, at the estimate's 4 characters a token. */
const LONG = "lorem ipsum ".repeat(700);
const TOKENS_OF_LONG = LONG.length / 4;

/** A conversation whose one call carries `text`, as each kind of call carries it. */
const calls: Array<[string, (text: string) => object[]]> = [
  [
    "tool_calls arguments",
    (text) => [
      { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "note", arguments: JSON.stringify({ text }) } }] },
      { role: "tool", tool_call_id: "call_1", content: "ok" },
    ],
  ],
  [
    "custom tool input",
    (text) => [
      { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "custom", custom: { name: "note", input: text } }] },
      { role: "tool", tool_call_id: "call_1", content: "ok" },
    ],
  ],
  [
    "function_call arguments",
    (text) => [
      { role: "assistant", content: null, function_call: { name: "note", arguments: JSON.stringify({ text }) } },
      { role: "function", name: "note", content: "ok" },
    ],
  ],
];

describe("the prompt-token estimate", () => {
  it.each(calls)("counts the %s in the conversation", async (_label, call) => {
    const conversation = (text: string) => ({ model: "auto", messages: [{ role: "user", content: "Take a note." }, ...call(text), { role: "user", content: "Thanks" }] });
    const short = await route(conversation("x"));
    const long = await route(conversation(LONG));
    expect(long.features.promptTokens - short.features.promptTokens).toBeGreaterThanOrEqual(TOKENS_OF_LONG);
  });

  it.each([
    ["tools", { tools: [{ type: "function", function: { name: "note", description: LONG } }], tool_choice: "none" }],
    ["functions", { functions: [{ name: "note", description: LONG }], function_call: "none" }],
  ])("counts the definitions offered in %s, so a window too small for them is skipped", async (_label, offer) => {
    const ask = { model: "auto", messages: [{ role: "user", content: "Hi there! How are you doing today?" }] };
    const plain = await route(ask);
    expect(plain.route).toBe("local");
    const offered = await route({ ...ask, ...offer });
    expect(offered.features.promptTokens - plain.features.promptTokens).toBeGreaterThanOrEqual(TOKENS_OF_LONG);
    // stories' window is 2,048 tokens: the definitions alone fill it.
    expect(offered.reasons).toContainEqual(expect.stringMatching(/^skipped stories: prompt of \d+ tokens does not fit context window 2048$/));
    expect(offered.route).toBe("cloud");
  });
});
