import { describe, expect, it } from "vitest";
import { ModelsFileSchema } from "../../src/config/models-schema.js";
import { MODELS, makeRecord, testCostModel } from "./fixtures.js";

describe("request cost", () => {
  const costs = testCostModel();

  it("prices cloud tokens per million and compares them with the baseline model", () => {
    const cost = costs.price({ model: "gpt-4o-mini", promptTokens: 1000, completionTokens: 500, generationMs: 900 });
    // 1000 × $0.15/1M + 500 × $0.60/1M = $0.00045; gpt-4o: 1000 × $2.50/1M + 500 × $10/1M = $0.0075
    expect(cost.costUsd).toBeCloseTo(0.00045, 12);
    expect(cost.baselineCostUsd).toBeCloseTo(0.0075, 12);
    expect(cost.savingsUsd).toBeCloseTo(0.00705, 12);
  });

  it("charges the local host by slot time: $/hour ÷ parallel slots × generation time", () => {
    // $0.36/h over 4 slots = $0.09 per slot-hour = $0.000025 per slot-second; 2 s → $0.00005
    const cost = costs.price({ model: "local-slm", promptTokens: 1000, completionTokens: 500, generationMs: 2000 });
    expect(cost.costUsd).toBeCloseTo(0.00005, 12);
    expect(cost.baselineCostUsd).toBeCloseTo(0.0075, 12);
    expect(cost.savingsUsd).toBeCloseTo(0.0075 - 0.00005, 12);
  });

  it("never charges concurrent local requests more than the host costs", () => {
    // A full host (4 slots busy) for one hour is charged exactly its hourly price.
    const hour = costs.price({ model: "local-slm", promptTokens: 0, completionTokens: 0, generationMs: 3_600_000 });
    expect(hour.costUsd * 4).toBeCloseTo(0.36, 12);
  });

  it("never charges a host running two models more than it costs", () => {
    // A second model on the same llama.cpp provider gets its own 4 sequences: 8 slots on the host.
    const file = ModelsFileSchema.parse({
      ...MODELS,
      models: { ...MODELS.models, "local-coder": { ...MODELS.models["local-slm"], path: "/models/coder.gguf" } },
    });
    const twoModels = testCostModel(file);
    const hour = (model: string) => twoModels.price({ model, promptTokens: 0, completionTokens: 0, generationMs: 3_600_000 }).costUsd;
    expect(hour("local-slm") * 4 + hour("local-coder") * 4).toBeCloseTo(0.36, 12);
  });

  it("shows negative savings when the chosen model costs more than the baseline", () => {
    const file = ModelsFileSchema.parse({ ...MODELS, defaults: { ...MODELS.defaults, baseline: "gpt-4o-mini" } });
    const cost = testCostModel(file).price({ model: "gpt-4o", promptTokens: 1000, completionTokens: 0, generationMs: 100 });
    expect(cost.savingsUsd).toBeCloseTo(0.00015 - 0.0025, 12);
  });

  it("records unpriced models at $0 with no savings claimed, and names them for a start-up warning", () => {
    const cost = costs.price({ model: "unpriced", promptTokens: 1000, completionTokens: 1000, generationMs: 100 });
    expect(cost.costUsd).toBe(0);
    expect(costs.unpriced).toEqual(["unpriced"]);
    const none = costs.price({ model: null, promptTokens: 0, completionTokens: 0, generationMs: 5 });
    expect(none).toEqual({ costUsd: 0, baselineCostUsd: 0, savingsUsd: 0 });
  });

  it("claims no savings without a priced baseline", () => {
    const file = ModelsFileSchema.parse({ ...MODELS, defaults: { local: "local-slm", cloud: "unpriced" } });
    const cost = testCostModel(file).price({ model: "gpt-4o-mini", promptTokens: 1000, completionTokens: 500, generationMs: 1 });
    expect(cost.savingsUsd).toBe(0);
    expect(cost.baselineCostUsd).toBe(cost.costUsd);
  });

  it("prices a local request by its generation time, not its queue wait", () => {
    const queued = makeRecord({ route: "local", model: "local-slm", totalMs: 10_000, generationMs: 1_000 }, costs);
    expect(queued.costUsd).toBeCloseTo(0.000025, 12);
    const unqueued = makeRecord({ route: "local", model: "local-slm", totalMs: 1_000 }, costs);
    expect(unqueued.costUsd).toBeCloseTo(0.000025, 12);
  });
});

describe("cached prompt tokens", () => {
  const file = ModelsFileSchema.parse({
    ...MODELS,
    models: {
      ...MODELS.models,
      "gpt-4o-mini": { provider: "openai", price: { input_per_1m: 0.15, cached_input_per_1m: 0.075, output_per_1m: 0.6 } },
      "gpt-4o": { provider: "openai", price: { input_per_1m: 2.5, cached_input_per_1m: 1.25, output_per_1m: 10 } },
    },
  });
  const costs = testCostModel(file);

  it("cost cached_input_per_1m, the rest of the prompt input_per_1m", () => {
    const record = makeRecord({ promptTokens: 1000, cachedPromptTokens: 800, completionTokens: 500 }, costs);
    // 200 × $0.15 + 800 × $0.075 + 500 × $0.60, per 1M; gpt-4o: 200 × $2.5 + 800 × $1.25 + 500 × $10.
    expect(record).toMatchObject({ promptTokens: 1000, cachedPromptTokens: 800, costUsd: 0.00039, baselineCostUsd: 0.0065, savingsUsd: 0.00611 });
  });

  it("cost the input price on a model without cached_input_per_1m", () => {
    const record = makeRecord({ promptTokens: 1000, cachedPromptTokens: 800, completionTokens: 500 });
    expect(record).toMatchObject({ cachedPromptTokens: 800, costUsd: 0.00045, baselineCostUsd: 0.0075 });
  });

  it("leave the baseline of a local answer as it was: a local server's reuse is no cloud discount", () => {
    const record = makeRecord({ route: "local", model: "local-slm", promptTokens: 1000, cachedPromptTokens: 800, completionTokens: 500, totalMs: 2000 }, costs);
    expect(record).toMatchObject({ costUsd: 0.00005, baselineCostUsd: 0.0075 });
  });

  it("are never more than the prompt, nor fractions or negatives", () => {
    expect(makeRecord({ promptTokens: 100, cachedPromptTokens: 250, completionTokens: 0 }, costs)).toMatchObject({ cachedPromptTokens: 100, costUsd: 0.0000075 });
    expect(makeRecord({ promptTokens: 100, cachedPromptTokens: -5, completionTokens: 0 }, costs)).toMatchObject({ cachedPromptTokens: 0, costUsd: 0.000015 });
    expect(makeRecord({ promptTokens: 100, cachedPromptTokens: 9.6, completionTokens: 0 }, costs).cachedPromptTokens).toBe(10);
  });
});
