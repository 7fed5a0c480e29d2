/**
 * Normalising a text for the scan (normalize.ts) is part of the scan: a hostile text (1M × U+FDFA,
 * which NFKC turns into 18M characters; 1M Arabic-Indic digits) fails closed within (a bound of) the scan budget
 * instead of blocking the event loop for seconds, and its copy may not outgrow `max_text_chars`.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { ChatCompletionRequest } from "../../src/api/chat-request.js";
import { createPiiEngine, createSanitizer, PseudonymVault, type PiiEngine, type PiiPolicy } from "../../src/pii/index.js";
import { defaultPolicy } from "./support.js";

let policy: PiiPolicy;
let engine: PiiEngine;
beforeAll(() => {
  policy = defaultPolicy();
  expect(policy.scan.budget_ms).toBe(250);
  engine = createPiiEngine(policy, { cacheEntries: 0 });
});

/** The outcome and the CPU time it cost: the budget is spent in CPU time (wall time waits on a busy host). */
function timedSend(content: string, p: PiiPolicy, e: PiiEngine) {
  const started = process.cpuUsage();
  const outcome = createSanitizer({ policy: p, engine: e, env: {} }).sanitizeForCloud(
    { model: "gpt-4o-mini", messages: [{ role: "user", content }] } as ChatCompletionRequest,
    { vault: new PseudonymVault(), tenant: "acme" },
  );
  const spent = process.cpuUsage(started);
  return { outcome, ms: (spent.user + spent.system) / 1000 };
}

describe("a hostile text to normalise", () => {
  it("1M × U+FDFA fails closed at once (its copy would be 18M characters)", () => {
    const { outcome, ms } = timedSend("\uFDFA".repeat(1_000_000), policy, engine);
    expect(outcome.kind).toBe("failed");
    expect(outcome.kind === "failed" && outcome.cause.reason).toMatch(/^(text_too_long|budget_exceeded)$/);
    expect(ms).toBeLessThan(1_000);
  });

  it("a text under max_text_chars whose copy is over it is refused as too long", () => {
    const small = { ...policy, scan: { ...policy.scan, max_text_chars: 100_000, budget_ms: 10_000 } };
    const { outcome } = timedSend("\uFDFA".repeat(10_000), small, createPiiEngine(small, { cacheEntries: 0 }));
    expect(outcome.kind === "failed" && outcome.cause.reason).toBe("text_too_long");
    expect(outcome.kind === "failed" && outcome.error.status).toBe(413);
  });

  it("1M × U+FDFA under a larger max_text_chars fails on the 250 ms budget", () => {
    const roomy = { ...policy, scan: { ...policy.scan, max_text_chars: 50_000_000 } };
    const { outcome, ms } = timedSend("\uFDFA".repeat(1_000_000), roomy, createPiiEngine(roomy, { cacheEntries: 0 }));
    expect(outcome.kind === "failed" && outcome.cause.reason).toBe("budget_exceeded");
    expect(outcome.kind === "failed" && outcome.fallback).toBe(policy.scan.on_failure);
    expect(ms).toBeLessThan(1_000);
  });

  it("1M Arabic-Indic digits fail on the 250 ms budget", () => {
    const { outcome, ms } = timedSend("٤".repeat(1_000_000), policy, engine);
    expect(outcome.kind === "failed" && outcome.cause.reason).toBe("budget_exceeded");
    expect(ms).toBeLessThan(1_000);
  });
});
