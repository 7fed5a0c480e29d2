/**
 * Numbers in caller data are scanned only where personal data can be: integers of seven digits or
 * more. Numeric data (prices, counts, series of measurements) passes untouched and costs no scans, so
 * a tool call carrying thousands of numbers stays well inside the scan budget.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { toolCallParts, type ChatCompletionRequest } from "../../src/api/chat-request.js";
import { createPiiEngine, createSanitizer, PseudonymVault, type PiiEngine, type PiiPolicy } from "../../src/pii/index.js";
import { countScans, defaultPolicy } from "./support.js";

let policy: PiiPolicy;
let engine: PiiEngine;
beforeAll(() => {
  policy = defaultPolicy();
  engine = createPiiEngine(policy, { cacheEntries: 0 });
});

const withArguments = (args: string): ChatCompletionRequest =>
  ({
    model: "m",
    messages: [
      { role: "user", content: "plot it" },
      { role: "assistant", content: null, tool_calls: [{ id: "c1", type: "function", function: { name: "plot", arguments: args } }] },
      { role: "tool", tool_call_id: "c1", content: "done" },
    ],
  }) as ChatCompletionRequest;

describe("numbers in tool-call arguments", () => {
  it("leaves a long numeric series as it was, without scanning each number", () => {
    const series = Array.from({ length: 5000 }, (_, i) => (i % 2 === 0 ? i : Math.round(Math.sin(i) * 1e6) / 1e3));
    const args = JSON.stringify({ series, unit: "mm" });
    const scans = countScans(engine);
    const outcome = createSanitizer({ policy, engine, env: {} }).sanitizeForCloud(withArguments(args), { vault: new PseudonymVault(), tenant: "acme" });
    expect(outcome.kind).toBe("cloud");
    if (outcome.kind !== "cloud") return;
    const call = outcome.request.messages[1]!.role === "assistant" ? outcome.request.messages[1]!.tool_calls![0]! : undefined;
    expect(toolCallParts(call!).text).toBe(args);
    expect(scans.count).toBeLessThan(20);
  });
});
