/**
 * Which model answers: an explicit model id or alias names it; `auto` prefers the local model when
 * it is loaded and otherwise goes to the cloud. (The routing-policy engine replaces `auto`'s rule.)
 */
import { modelNotFound, unavailable } from "../errors.js";
import { CLOUD_ALIAS, LOCAL_ALIAS, ROUTER_ALIAS, type Location, type ModelEntry, type ModelRegistry } from "../models/registry.js";

export interface TargetDecision {
  route: Location;
  model: ModelEntry;
  reason: string;
}

export function selectTarget(requested: string, registry: ModelRegistry, isReady: (model: ModelEntry) => boolean): TargetDecision {
  if (requested === ROUTER_ALIAS) {
    const local = registry.defaultLocal;
    if (local && isReady(local)) return decision(local, "auto: local model loaded");
    const cloud = registry.defaultCloud;
    if (cloud) return decision(cloud, local ? "auto: local model not ready" : "auto: no local model configured");
    if (local) return decision(local, "auto: no cloud model configured");
    throw unavailable("No model is configured to answer 'auto'.", "no_default_model");
  }
  if (requested === LOCAL_ALIAS || requested === CLOUD_ALIAS) {
    const model = requested === LOCAL_ALIAS ? registry.defaultLocal : registry.defaultCloud;
    if (!model) throw modelNotFound(requested);
    return decision(model, `alias '${requested}'`);
  }
  const model = registry.get(requested);
  if (!model) throw modelNotFound(requested);
  return decision(model, "explicit model");
}

function decision(model: ModelEntry, reason: string): TargetDecision {
  return { route: model.location, model, reason };
}
