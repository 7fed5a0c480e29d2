/**
 * The configured models and the aliases clients may use (`auto`, `local`, `cloud`).
 */
import type { Capabilities, ModelConfig, ModelsFile, Price } from "../config/models-schema.js";

export type Location = "local" | "cloud";

export interface ModelEntry {
  id: string;
  providerId: string;
  location: Location;
  /** Name sent to the upstream API (cloud) or a label (local). */
  upstreamModel: string;
  /** Absolute GGUF path for in-process local models. */
  path: string | undefined;
  contextWindow: number;
  maxOutputTokens: number;
  capabilities: Capabilities;
  price: Price | undefined;
}

export const ROUTER_ALIAS = "auto";
export const LOCAL_ALIAS = "local";
export const CLOUD_ALIAS = "cloud";
export const ALIASES = [ROUTER_ALIAS, LOCAL_ALIAS, CLOUD_ALIAS] as const;

export interface ModelRegistry {
  readonly models: ReadonlyMap<string, ModelEntry>;
  readonly defaultLocal: ModelEntry | undefined;
  readonly defaultCloud: ModelEntry | undefined;
  readonly baseline: ModelEntry | undefined;
  get(id: string): ModelEntry | undefined;
}

export function createModelRegistry(
  file: ModelsFile,
  resolvePath: (path: string) => string,
  locationOf: (providerId: string) => Location,
): ModelRegistry {
  const models = new Map<string, ModelEntry>();
  for (const [id, config] of Object.entries(file.models)) {
    models.set(id, toEntry(id, config, resolvePath, locationOf(config.provider)));
  }
  const pick = (id: string | undefined) => (id === undefined ? undefined : models.get(id));
  return {
    models,
    defaultLocal: pick(file.defaults.local),
    defaultCloud: pick(file.defaults.cloud),
    baseline: pick(file.defaults.baseline ?? file.defaults.cloud),
    get: (id) => models.get(id),
  };
}

function toEntry(id: string, config: ModelConfig, resolvePath: (p: string) => string, location: Location): ModelEntry {
  return {
    id,
    providerId: config.provider,
    location,
    upstreamModel: config.upstream_model ?? id,
    path: config.path === undefined ? undefined : resolvePath(config.path),
    contextWindow: config.context_window,
    maxOutputTokens: config.max_output_tokens,
    capabilities: config.capabilities,
    price: config.price,
  };
}

/** `registry` with the windows models really run with (`windows`, by model id) in place of the configured ones. */
export function withContextWindows(registry: ModelRegistry, windows: ReadonlyMap<string, number>): ModelRegistry {
  if (windows.size === 0) return registry;
  const models = new Map<string, ModelEntry>();
  for (const [id, entry] of registry.models) {
    const contextWindow = windows.get(id);
    models.set(id, contextWindow === undefined ? entry : { ...entry, contextWindow });
  }
  const pick = (entry: ModelEntry | undefined) => (entry === undefined ? undefined : models.get(entry.id));
  return {
    models,
    defaultLocal: pick(registry.defaultLocal),
    defaultCloud: pick(registry.defaultCloud),
    baseline: pick(registry.baseline),
    get: (id) => models.get(id),
  };
}
