/**
 * What `decide` looks at: the features of one request, gathered by the pipeline's earlier stages
 * (classifier, PII scan, context store, local provider, usage budgets). Plain data, so a decision can
 * be replayed, logged and table-tested.
 */
import { z } from "zod";
import { messageText, promptText, toolCallParts, toolDefinitionTexts, type ChatCompletionRequest, type ChatMessage } from "../api/chat-request.js";
import { MESSAGE_FRAMING_TOKENS, tokenQuarters, tokensForQuarters } from "../api/token-estimate.js";
import { isInstruction } from "../context/turn.js";
import { requestNeeds } from "../pipeline/capabilities.js";
import { RESPONSE_FORMATS, type ResponseFormatKind } from "./schema.js";

/** What the pipeline keeps per session between turns for sticky routing (and gets back from `decide`). */
export const StickyStateSchema = z.object({
  /** Model id the conversation is stuck to. */
  target: z.string().min(1),
  /** Further turns that stay on `target`. */
  turnsLeft: z.int().nonnegative(),
  /** Intent of the turn that escalated (stickiness can end when it changes). */
  intent: z.string().optional(),
});
export type StickyState = z.infer<typeof StickyStateSchema>;

export const RequestFeaturesSchema = z.object({
  /** The `model` the client sent: `auto`, `local`, `cloud` or a model id. */
  requestedModel: z.string().min(1),
  tenant: z.string().min(1),
  /** Classifier output; all three absent when no classifier ran. */
  intent: z.string().optional(),
  confidence: z.number().min(0).max(1).optional(),
  unsure: z.boolean().optional(),
  /** Prompt tokens including stored context that will be sent. */
  promptTokens: z.int().nonnegative(),
  /**
   * Tokens of what must be sent at least: the instructions and the newest turn (older turns can be
   * left out to fit a small window). A target whose window cannot hold this is skipped. Defaults to
   * `promptTokens`.
   */
  minPromptTokens: z.int().nonnegative().optional(),
  /** User turns in the conversation, this one included. */
  turns: z.int().nonnegative(),
  /** The request offers tools or its conversation holds tool calls or results. */
  hasTools: z.boolean(),
  hasImages: z.boolean(),
  responseFormat: z.enum(RESPONSE_FORMATS),
  /** What the request asks that an in-process model cannot give (audio or file input, logprobs, audio output, web search, …), if anything. */
  beyondInProcess: z.string().optional(),
  /** Why a json_schema is beyond what the in-process model's grammar enforces (e.g. it uses `pattern`), if it is. */
  jsonSchemaBeyondGrammar: z.string().optional(),
  /** Request headers by lower-case name (at least those the policy refers to: `CompiledPolicy.headerNames`). */
  headers: z.record(z.string(), z.string()),
  /** The request body's `metadata`. */
  metadata: z.record(z.string(), z.string()),
  /** PII entity types found in the request (any order, duplicates allowed). */
  piiTypes: z.array(z.string()),
  /** models.yaml `defaults.local`'s queue and health: what `local_queue_*` and `local_healthy` read. */
  local: z.object({ queueDepth: z.int().nonnegative(), healthy: z.boolean() }),
  /**
   * In-process models not loaded and working (still loading, failed to load), by id, each by its own
   * state: `decide` skips them as targets. Absent: every in-process model is healthy.
   */
  unhealthyModels: z.array(z.string()).optional(),
  /**
   * Of `unhealthyModels`, those still loading: a request refused for want of them is told to retry
   * shortly (`DenyDecision.retryAfterSeconds`) rather than not to retry. Absent: none is loading.
   */
  loadingModels: z.array(z.string()).optional(),
  /**
   * Providers that cannot be called at all, by provider id, and why (`FAKE_CLOUD_KEY is not set`):
   * `decide` skips their models as targets. Absent: every provider can be called.
   */
  unconfiguredProviders: z.record(z.string(), z.string()).optional(),
  budgetExceeded: z.boolean(),
  sticky: StickyStateSchema.optional(),
});
export type RequestFeatures = z.infer<typeof RequestFeaturesSchema>;

/** The classifier's answer; intent and confidence absent when it read nothing in the text (no evidence: unsure). */
export interface Classification {
  intent: string | undefined;
  confidence: number | undefined;
  unsure: boolean;
}

export interface FeatureInputs {
  tenant: string;
  /** Header lookup by lower-case name. */
  header?: (name: string) => string | undefined;
  /** Which headers to copy into the features (the policy's `headerNames`); default none. */
  headerNames?: readonly string[];
  classification?: Classification | undefined;
  /** Measured by the pipeline with the target tokenizer; default: `estimatePromptTokens`. */
  promptTokens?: number;
  /** See `RequestFeatures.minPromptTokens`. */
  minPromptTokens?: number;
  /** Default: the user messages in the body. */
  turns?: number;
  piiTypes?: readonly string[];
  local?: { queueDepth: number; healthy: boolean };
  /** See `RequestFeatures.unhealthyModels`; default none. */
  unhealthyModels?: readonly string[] | undefined;
  /** See `RequestFeatures.loadingModels`; default none. */
  loadingModels?: readonly string[] | undefined;
  /** See `RequestFeatures.unconfiguredProviders`; default none. */
  unconfiguredProviders?: Readonly<Record<string, string>> | undefined;
  budgetExceeded?: boolean;
  sticky?: StickyState | undefined;
}

/** The named request headers that are present, by name: what `RequestFeatures.headers` holds. */
export function requestHeaders(header: (name: string) => string | undefined, names: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of names) {
    const value = header(name);
    if (value !== undefined) headers[name] = value;
  }
  return headers;
}

/**
 * Builds the features of a chat request from its body plus what the pipeline measured. Anything not
 * given gets a neutral default (no PII, local healthy and idle, budget not exceeded).
 */
export function featuresFromRequest(body: ChatCompletionRequest, inputs: FeatureInputs): RequestFeatures {
  const needs = requestNeeds(body);
  const headers = inputs.header ? requestHeaders(inputs.header, inputs.headerNames ?? []) : {};
  const features: RequestFeatures = {
    requestedModel: body.model,
    tenant: inputs.tenant,
    promptTokens: inputs.promptTokens ?? estimatePromptTokens(body),
    turns: inputs.turns ?? body.messages.filter((m) => m.role === "user").length,
    // A conversation that already holds tool calls needs a tool-capable model as much as one offering tools.
    hasTools: needs.tools !== undefined || needs.toolHistory,
    hasImages: needs.images,
    responseFormat: responseFormatOf(body),
    headers,
    metadata: { ...(body.metadata ?? {}) },
    piiTypes: [...(inputs.piiTypes ?? [])],
    local: inputs.local ?? { queueDepth: 0, healthy: true },
    budgetExceeded: inputs.budgetExceeded ?? false,
  };
  if (inputs.classification) {
    if (inputs.classification.intent !== undefined) features.intent = inputs.classification.intent;
    if (inputs.classification.confidence !== undefined) features.confidence = inputs.classification.confidence;
    features.unsure = inputs.classification.unsure;
  }
  if (needs.beyondInProcess) features.beyondInProcess = needs.beyondInProcess.what;
  if (needs.jsonSchemaBeyondGrammar !== undefined) features.jsonSchemaBeyondGrammar = needs.jsonSchemaBeyondGrammar;
  if (inputs.sticky) features.sticky = inputs.sticky;
  if (inputs.unhealthyModels && inputs.unhealthyModels.length > 0) features.unhealthyModels = [...inputs.unhealthyModels];
  if (inputs.loadingModels && inputs.loadingModels.length > 0) features.loadingModels = [...inputs.loadingModels];
  if (inputs.unconfiguredProviders && Object.keys(inputs.unconfiguredProviders).length > 0) features.unconfiguredProviders = { ...inputs.unconfiguredProviders };
  if (inputs.minPromptTokens !== undefined) features.minPromptTokens = inputs.minPromptTokens;
  return features;
}

export function responseFormatOf(body: ChatCompletionRequest): ResponseFormatKind {
  return body.response_format?.type ?? "text";
}

/**
 * A tokenizer-free estimate (see token-estimate.ts), the size `prompt_tokens_*` and the decision's
 * context-window check read, in the gateway (`promptTokenCounts` in the analyze stage) and the CLI alike.
 * It sizes the conversation as the client wrote it, before the PII policy's placeholders or pseudonyms
 * replace any of it.
 */
export function estimatePromptTokens(body: ChatCompletionRequest): number {
  let quarters = 0;
  for (const message of body.messages) quarters += tokenQuarters(promptText(message));
  for (const definition of toolDefinitionTexts(body)) quarters += tokenQuarters(definition);
  return tokensForQuarters(quarters) + MESSAGE_FRAMING_TOKENS * body.messages.length;
}

/**
 * What cannot be left out to fit a window: the instructions and the newest turn (from the last user
 * message on, so a tool call travels with its results). Older turns are trimmed to fit a small window.
 */
export function essentialMessages(messages: readonly ChatMessage[]): ChatMessage[] {
  let lastUser = messages.length - 1;
  while (lastUser > 0 && messages[lastUser]?.role !== "user") lastUser--;
  return [...messages.slice(0, lastUser).filter(isInstruction), ...messages.slice(lastUser)];
}

/**
 * `promptTokens` and `minPromptTokens` of a request, as the gateway and `policy explain` both
 * size it: estimated from the body (`estimatePromptTokens`), and what must be sent at least from its
 * `essentialMessages`. With `promptTokens` given (`policy explain --prompt-tokens`), what must be sent
 * is that count in the estimate's proportion: a lone message is all essential, a long conversation
 * mostly not.
 */
export function promptTokenCounts(body: ChatCompletionRequest, promptTokens?: number): { promptTokens: number; minPromptTokens: number } {
  const estimated = estimatePromptTokens(body);
  const essential = estimatePromptTokens({ ...body, messages: essentialMessages(body.messages) });
  if (promptTokens === undefined) return { promptTokens: estimated, minPromptTokens: essential };
  const share = estimated > 0 ? Math.min(1, essential / estimated) : 1;
  return { promptTokens, minPromptTokens: Math.round(promptTokens * share) };
}

/** The text the classifier reads by default: the last user message. */
export function lastUserText(body: ChatCompletionRequest): string {
  for (let i = body.messages.length - 1; i >= 0; i--) {
    const message = body.messages[i];
    if (message?.role === "user") return messageText(message);
  }
  return "";
}

/**
 * Every text of the request a PII scan must cover (messages of all roles, tool definitions in `tools`
 * or the deprecated `functions`, and the arguments of calls of every kind: `tool_calls` and the
 * deprecated single `function_call`).
 */
export function requestTexts(body: ChatCompletionRequest): string[] {
  const texts: string[] = [];
  for (const message of body.messages) {
    const text = messageText(message);
    if (text) texts.push(text);
    if (message.role !== "assistant") continue;
    for (const call of message.tool_calls ?? []) texts.push(toolCallParts(call).text);
    if (message.function_call) texts.push(message.function_call.arguments);
  }
  texts.push(...toolDefinitionTexts(body));
  return texts;
}
