/**
 * Time to first token is measured on every streamed answer, a call included: a model that answers
 * with the deprecated `function_call` (or `tool_calls`) starts its answer with the call's first
 * piece, and usage reports that time instead of none.
 */
import { describe, expect, it } from "vitest";
import { FUNCTIONS, legacyCallGateway } from "./legacy-call-upstream.js";

const KEY = "sk-call-stream-ttft-0123456789";

const legacy = legacyCallGateway({ waitForModels: false, env: { SWITCHYARD_API_KEYS: `ttft=${KEY}` } });

describe("a streamed function_call answer", () => {
  it("is recorded with a time to first token", async () => {
    let args = "";
    const stream = await legacy.gw.client({ apiKey: KEY }).chat.completions.create({ model: "legacy-gpt", functions: FUNCTIONS, messages: [{ role: "user", content: "Mail the report" }], stream: true });
    for await (const chunk of stream) args += chunk.choices[0]?.delta.function_call?.arguments ?? "";
    expect(args).toContain("Mail the report");

    const deadline = Date.now() + 5000;
    let totals: { requests: number; ttft_ms: { mean: number } | null };
    do {
      const res = await fetch(`${legacy.gw.url}/v1/usage`, { headers: { authorization: `Bearer ${KEY}` } });
      totals = ((await res.json()) as { totals: typeof totals }).totals;
      if (totals.requests >= 1) break;
      await new Promise((r) => setTimeout(r, 50));
    } while (Date.now() < deadline);
    expect(totals.requests).toBe(1);
    expect(totals.ttft_ms).not.toBeNull();
    expect(totals.ttft_ms!.mean).toBeGreaterThan(0);
  });
});
