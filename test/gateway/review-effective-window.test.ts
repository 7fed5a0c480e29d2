/**
 * The runtime caps a local model's context_window (4,096 unless set) at what its GGUF was trained on
 * (2,048 for stories260K). Routing and the registry use that window, and the cap is logged at start-up.
 */
import { describe, expect, it } from "vitest";
import { startTestGateway, testModelsYaml } from "../support/gateway.js";

const CAP_WARNING = /context_window 4096 exceeds what the model was trained on/;

describe("review: a local model's effective context window", () => {
  it("is the capped one for routing, and the cap is logged once at start-up", async () => {
    const yaml = testModelsYaml({ cloudBaseURL: "http://127.0.0.1:9/v1" }).replace(/^ {4}context_window: 2048\n/m, "");
    expect(yaml).not.toContain("context_window: 2048");
    const gw = await startTestGateway({ modelsYaml: yaml, waitForModels: false });
    try {
      expect(gw.gateway.config.registry.get("stories")?.contextWindow).toBe(2048);
      expect(gw.gateway.config.registry.defaultLocal?.contextWindow).toBe(2048);
      expect(gw.gateway.policies.snapshot.policy.catalog.models.get("stories")?.contextWindow).toBe(2048);
      const warnings = gw.logs.map((l) => JSON.parse(l) as { level: number; msg: string; model?: string }).filter((l) => CAP_WARNING.test(l.msg));
      expect(warnings).toEqual([expect.objectContaining({ level: 40, model: "stories", configured: 4096, trained: 2048 })]);
      // The cloud models keep theirs.
      expect(gw.gateway.config.registry.get("fake-gpt")?.contextWindow).toBe(128000);
    } finally {
      await gw.close();
    }
  });

  it("logs nothing when context_window fits", async () => {
    const gw = await startTestGateway({ modelsYaml: testModelsYaml({ cloudBaseURL: "http://127.0.0.1:9/v1" }), waitForModels: false });
    try {
      expect(gw.gateway.config.registry.get("stories")?.contextWindow).toBe(2048);
      expect(gw.logs.some((l) => /exceeds what the model was trained on/.test(l))).toBe(false);
    } finally {
      await gw.close();
    }
  });
});
