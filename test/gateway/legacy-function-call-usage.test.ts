/**
 * Usage of an answer in the deprecated function_call form when the upstream reports no token counts
 * (a stream without `stream_options.include_usage`): the gateway counts the call the client received,
 * as it does for content and tool_calls, so such answers are not free against the tenant's budget.
 */
import { describe, expect, it } from "vitest";
import { FUNCTIONS, legacyCallGateway } from "./legacy-call-upstream.js";

const KEY = "sk-legacy-usage-0123456789";

const legacy = legacyCallGateway({ env: { SWITCHYARD_API_KEYS: `usage=${KEY}` } });

interface Totals {
  requests: number;
  completion_tokens: number;
}

async function totalsAfter(requests: number): Promise<Totals> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const res = await fetch(`${legacy.gw.url}/v1/usage`, { headers: { authorization: `Bearer ${KEY}` } });
    const totals = ((await res.json()) as { totals: Totals }).totals;
    if (totals.requests >= requests || Date.now() > deadline) return totals;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("a streamed function_call answer without reported usage", () => {
  it("is recorded with the completion tokens of the call, not zero", async () => {
    const before = await totalsAfter(0);
    const messages = [{ role: "user" as const, content: "Mail the quarterly report to the finance team, please." }];
    let args = "";
    for await (const chunk of await legacy.gw.client({ apiKey: KEY }).chat.completions.create({ model: "legacy-gpt", messages, functions: FUNCTIONS, stream: true })) {
      args += chunk.choices[0]?.delta.function_call?.arguments ?? "";
    }
    expect(args.length).toBeGreaterThan(60);

    const after = await totalsAfter(before.requests + 1);
    expect(after.requests).toBe(before.requests + 1);
    // `send_mail` and about 70 characters of arguments: at least 10 tokens by any count.
    expect(after.completion_tokens - before.completion_tokens).toBeGreaterThanOrEqual(10);
  });
});
