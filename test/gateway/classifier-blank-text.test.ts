/**
 * A last user message with nothing to read — whitespace only, or empty — is no evidence of an intent,
 * as punctuation or emoji alone already are: the router sees the classifier's `unsure` and decides
 * as for "???" (the shipped policy's `unsure` rule), not as for a request with no classifier at all.
 */
import { describe, expect, it } from "vitest";
import { fakeCloudGateway } from "../support/gateway.js";

const cloud = fakeCloudGateway({ models: { maxRetries: 2 } });

interface DryRun {
  rule: string;
  route: string;
  intent: string | null;
  confidence: number | null;
  unsure: boolean | null;
}

async function dryRun(content: string): Promise<DryRun> {
  const response = await fetch(`${cloud.gw.url}/v1/route`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: "auto", messages: [{ role: "user", content: "Write me a sorting function in Rust." }, { role: "assistant", content: "Sure." }, { role: "user", content }] }),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as DryRun;
}

describe("a blank last user message", { timeout: 60_000 }, () => {
  it("is classified unsure, like punctuation alone, and routed by the unsure rule", async () => {
    const symbols = await dryRun("???");
    expect(symbols).toMatchObject({ rule: "unsure", unsure: true });
    for (const content of ["   ", "", "\n\t "]) {
      const blank = await dryRun(content);
      expect(blank, JSON.stringify(content)).toMatchObject({ rule: symbols.rule, route: symbols.route, unsure: true, confidence: symbols.confidence });
      // No evidence is no intent: the tie's first label is no finding (test/gateway/no-evidence-unclassified.test.ts).
      expect(blank.intent, JSON.stringify(content)).toBeNull();
    }
  });
});
