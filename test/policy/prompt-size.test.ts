/**
 * How big a prompt is for the routing policy (`prompt_tokens_*`, the context-window skip), and what a
 * target too small for it at run time means for the chain.
 */
import { describe, expect, it } from "vitest";
import { estimateTokens } from "../../src/api/token-estimate.js";
import { invalidRequest, unavailable } from "../../src/errors.js";
import { decide, type RouteDecision } from "../../src/policy/decide.js";
import { estimatePromptTokens } from "../../src/policy/features.js";
import { largestTooSmall, nextTarget, pastTooSmall, preparationFailureKind } from "../../src/policy/fallback.js";
import { catalog, compile, features } from "./support.js";

const cat = catalog();

describe("a prompt's estimated tokens, whatever its script", () => {
  it("counts English as about four characters a token, as before", () => {
    expect(estimateTokens("word ".repeat(1000))).toBe(1250);
  });

  it("counts a Chinese, Japanese or Korean character as a token at least", () => {
    const chinese = "请帮我总结一下这份关于季度销售业绩的报告。".repeat(200);
    expect(chinese).toHaveLength(4200);
    expect(estimateTokens(chinese)).toBe(4200);
    expect(estimateTokens("四半期の売上")).toBe(6);
    expect(estimateTokens("분기별 판매")).toBe(6); // 5 syllables and a space
  });

  it("counts Cyrillic, Greek and Arabic letters as half a token, twice what the same length of ASCII counts", () => {
    expect(estimateTokens("Привет")).toBe(3);
    expect(estimateTokens("α".repeat(100))).toBe(50);
    expect(estimateTokens("مرحبا!!")).toBe(3); // 5 letters (2½) and two ASCII marks (½)
  });

  it("counts an emoji (two UTF-16 units) as two tokens", () => {
    expect(estimateTokens("🎉🚀")).toBe(4);
  });

  it("sizes a request's messages together, with each message's framing", () => {
    const body = { model: "auto", messages: [{ role: "user" as const, content: "请".repeat(3000) }, { role: "user" as const, content: "ok" }] };
    expect(estimatePromptTokens(body)).toBe(3000 + 1 + 2 * 4);
  });

  it("makes prompt_tokens_above hold for a long Chinese prompt that characters ÷ 4 sized at a quarter", () => {
    const policy = compile("version: 1\nrules:\n  - name: long\n    when: { prompt_tokens_above: 1500 }\n    then: { route: cloud }\ndefault: { route: local }\n");
    const body = { model: "auto", messages: [{ role: "user" as const, content: "季度销售业绩".repeat(700) }] };
    expect(decide(features({ promptTokens: estimatePromptTokens(body) }), policy).rule).toBe("long");
  });
});

describe("a target too small for the prompt when its call is prepared", () => {
  const tooLong = invalidRequest("This model's maximum context length is 4096 tokens. …", "messages", "context_length_exceeded");

  it("is passed over for the next target when the policy chose it", () => {
    expect(preparationFailureKind(tooLong, "local-slm", "auto", cat)).toBe("context_window");
    expect(preparationFailureKind(tooLong, "local-slm", "gpt-4o", cat)).toBe("context_window");
  });

  it("is the client's answer (no fallback) when the client named it, by id or by alias", () => {
    expect(preparationFailureKind(tooLong, "local-slm", "local-slm", cat)).toBeUndefined();
    expect(preparationFailureKind(tooLong, "local-slm", "local", cat)).toBeUndefined();
    expect(preparationFailureKind(tooLong, "gpt-4o-mini", "cloud", cat)).toBeUndefined();
  });

  it("leaves other failures as failureKindOf classifies them", () => {
    expect(preparationFailureKind(unavailable("not ready"), "local-slm", "local", cat)).toBe("unavailable");
    expect(preparationFailureKind(invalidRequest("bad", "n", "unsupported_parameter"), "local-slm", "auto", cat)).toBeUndefined();
  });

  it("moves on along the chain without leaving out the rest of its provider, then to the last resort", () => {
    const d = decide(features(), compile("version: 1\nrules: []\ndefault: { route: local, fallbacks: [pool-8k] }\n")) as RouteDecision;
    expect(nextTarget(d, [{ model: "local-slm", kind: "context_window" }], cat)).toEqual({ model: "pool-8k", route: "local", via: "chain" });
    const failures = [
      { model: "local-slm", kind: "context_window" as const },
      { model: "pool-8k", kind: "context_window" as const },
    ];
    expect(nextTarget(d, failures, cat)).toEqual({ model: "gpt-4o-mini", route: "cloud", via: "degrade" });
  });

  it("is listed as skipped in the decision the dry run answers, the next target first", () => {
    const d = decide(features(), compile("version: 1\nrules: []\ndefault: { route: local, fallbacks: [pool-8k] }\n")) as RouteDecision;
    const skip = { model: "local-slm", reason: "prompt does not fit context window 4096 as its tokenizer counts it", kind: "context_window" as const };
    const toPool = pastTooSmall(d, skip, { model: "pool-8k", route: "local", via: "chain" });
    expect(toPool).toMatchObject({ model: "pool-8k", route: "local", fallbacks: [], degrade: { cloud: "gpt-4o-mini" } });
    expect(toPool.skipped).toContainEqual(skip);
    const toCloud = pastTooSmall(toPool, { ...skip, model: "pool-8k" }, { model: "gpt-4o-mini", route: "cloud", via: "degrade" });
    expect(toCloud).toMatchObject({ model: "gpt-4o-mini", route: "cloud", fallbacks: [], degrade: {} });
  });

  it("when every target is too small, reports the largest window's refusal, the first tried of equals", () => {
    expect(largestTooSmall([])).toBeUndefined();
    const tried = [
      { window: 1024, refusal: "narrowest" },
      { window: 1280, refusal: "first of the widest" },
      { window: 1280, refusal: "second of the widest" },
    ];
    expect(largestTooSmall(tried)?.refusal).toBe("first of the widest");
  });
});
