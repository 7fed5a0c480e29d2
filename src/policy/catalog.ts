/**
 * The part of the model registry the router needs: where each model runs and what it can do. Built
 * once per policy version, so a decision is a few map lookups.
 */
import type { Location, ModelRegistry } from "../models/registry.js";

export interface CatalogModel {
  id: string;
  location: Location;
  providerId: string;
  /** Served by the in-process llama.cpp runtime: `features.unhealthyModels` says whether it is loaded and working. */
  inProcess: boolean;
  contextWindow: number;
  tools: boolean;
  jsonSchema: boolean;
  vision: boolean;
}

export interface PolicyCatalog {
  readonly models: ReadonlyMap<string, CatalogModel>;
  /** models.yaml `defaults.local` / `defaults.cloud`: what the `local` and `cloud` targets mean. */
  readonly defaultLocal: CatalogModel | undefined;
  readonly defaultCloud: CatalogModel | undefined;
}

export function catalogFromRegistry(registry: ModelRegistry): PolicyCatalog {
  const models = new Map<string, CatalogModel>();
  for (const entry of registry.models.values()) {
    models.set(entry.id, {
      id: entry.id,
      location: entry.location,
      providerId: entry.providerId,
      inProcess: entry.path !== undefined,
      contextWindow: entry.contextWindow,
      tools: entry.capabilities.tools,
      jsonSchema: entry.capabilities.json_schema,
      vision: entry.capabilities.vision,
    });
  }
  const pick = (id: string | undefined) => (id === undefined ? undefined : models.get(id));
  return { models, defaultLocal: pick(registry.defaultLocal?.id), defaultCloud: pick(registry.defaultCloud?.id) };
}

/**
 * Whether the client's `model` (`requestedModel`) names `model`: its id, or the `local`/`cloud` alias
 * of it. A model the client named is answered as OpenAI answers it (its own 400 for a prompt too
 * long), and another model answering in its place is a fallback the client is told of.
 */
export function namedByClient(model: string, requestedModel: string, catalog: PolicyCatalog): boolean {
  if (requestedModel === "local") return catalog.defaultLocal?.id === model;
  if (requestedModel === "cloud") return catalog.defaultCloud?.id === model;
  return requestedModel === model;
}
