/**
 * The registry entry of the stories260K test model on the in-process route, for tests that drive a
 * local provider or runtime directly (without a gateway's models.yaml).
 */
import type { ModelEntry } from "../../src/models/registry.js";
import { STORIES_MODEL } from "./gateway.js";

/** @example const model = storiesEntry({ maxOutputTokens: 64 }); */
export function storiesEntry(overrides: Partial<Pick<ModelEntry, "contextWindow" | "maxOutputTokens">> = {}): ModelEntry {
  return {
    id: "stories",
    providerId: "local",
    location: "local",
    upstreamModel: "stories",
    path: STORIES_MODEL,
    contextWindow: 2048,
    maxOutputTokens: 64,
    capabilities: { tools: false, json_schema: true, vision: false },
    price: undefined,
    ...overrides,
  };
}
