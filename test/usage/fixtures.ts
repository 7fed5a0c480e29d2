/**
 * A models.yaml-shaped registry and priced records for the usage tests.
 */
import { pino } from "pino";
import type { ModelsFile, ProviderConfig } from "../../src/config/models-schema.js";
import { ModelsFileSchema } from "../../src/config/models-schema.js";
import { createModelRegistry } from "../../src/models/registry.js";
import { buildUsageRecord } from "../../src/usage/accounting.js";
import { createCostModel, type CostModel } from "../../src/usage/cost.js";
import type { UsageInput, UsageRecord } from "../../src/usage/record.js";

export const MODELS: ModelsFile = ModelsFileSchema.parse({
  providers: {
    local: { type: "llama_cpp", parallel: 4 },
    openai: { type: "openai_compatible", base_url: "https://api.example.test/v1" },
  },
  models: {
    "local-slm": { provider: "local", path: "/models/local.gguf", price: { usd_per_hour: 0.36 } },
    "gpt-4o-mini": { provider: "openai", price: { input_per_1m: 0.15, output_per_1m: 0.6 } },
    "gpt-4o": { provider: "openai", price: { input_per_1m: 2.5, output_per_1m: 10 } },
    unpriced: { provider: "openai" },
  },
  defaults: { local: "local-slm", cloud: "gpt-4o-mini", baseline: "gpt-4o" },
});

export const testRegistry = (file: ModelsFile = MODELS) =>
  createModelRegistry(file, (p) => p, (id) => (file.providers[id]?.type === "llama_cpp" ? "local" : "cloud"));

export function testCostModel(file: ModelsFile = MODELS): CostModel {
  return createCostModel(testRegistry(file), file.providers as Record<string, ProviderConfig>);
}

/** A logger that writes nowhere. */
export const silentLog = pino({ level: "silent" });

let sequence = 0;

/** A priced record; fields not given are a plausible successful cloud request. */
export function makeRecord(overrides: Partial<UsageInput> = {}, costs: CostModel = testCostModel()): UsageRecord {
  sequence++;
  return buildUsageRecord(
    costs,
    {
      requestId: `req-${sequence}`,
      tenant: "acme",
      route: "cloud",
      model: "gpt-4o-mini",
      status: 200,
      promptTokens: 1000,
      completionTokens: 500,
      totalMs: 800,
      ttftMs: 120,
      ...overrides,
    },
    overrides.time ?? Date.now(),
  );
}
