/**
 * The walk of one chat request: decide → check → execute. Later stages (context, PII, classifier,
 * policy, usage) plug in here, each in its own module; this file only orders them.
 */
import type { ModelRegistry } from "../models/registry.js";
import type { ProviderSet } from "../providers/provider-set.js";
import type { ChatCompletion, ChunkStream } from "../providers/types.js";
import { assertSupported } from "./capabilities.js";
import type { ChatRequestContext } from "./chat-request-context.js";
import { selectTarget, type TargetDecision } from "./select-target.js";

export type ChatOutcome =
  | { kind: "completion"; completion: ChatCompletion; decision: TargetDecision }
  | { kind: "stream"; chunks: ChunkStream; decision: TargetDecision };

export interface ChatPipelineDeps {
  registry: ModelRegistry;
  providers: ProviderSet;
}

export type ChatPipeline = (ctx: ChatRequestContext) => Promise<ChatOutcome>;

export function createChatPipeline(deps: ChatPipelineDeps): ChatPipeline {
  return async function runChatPipeline(ctx) {
    const decision = selectTarget(ctx.body.model, deps.registry, deps.providers.isReady);
    assertSupported(ctx.body, decision.model);
    const provider = deps.providers.forModel(decision.model);
    const input = { model: decision.model, request: ctx.body, signal: ctx.signal };
    if (ctx.body.stream) return { kind: "stream", chunks: await provider.stream(input), decision };
    return { kind: "completion", completion: await provider.complete(input), decision };
  };
}
