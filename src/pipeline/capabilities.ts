/**
 * Refuses, with a 400 that names the parameter, anything the chosen model cannot do — instead of
 * silently dropping a tool list or an image and answering something else.
 */
import type { ChatCompletionRequest } from "../api/chat-request.js";
import { assertNoToolHistory, holdsToolHistory } from "../api/tool-history.js";
import { SESSION_ID_HEADER } from "../context/headers.js";
import { GatewayError, unsupported } from "../errors.js";
import type { ModelEntry } from "../models/registry.js";
import { grammarRefusal, schemaRefusalError } from "../providers/local/grammar-schema.js";
import { assertPenaltiesInRange } from "../providers/local/repeat-penalty.js";

export interface RequestNeeds {
  /** The parameter that offers the model tools to call (`tools` or the deprecated `functions`), if any does. */
  tools: "tools" | "functions" | undefined;
  /** The conversation holds tool calls or their results: only a model that knows tools can continue it. */
  toolHistory: boolean;
  images: boolean;
  jsonSchema: boolean;
  /**
   * Why the local grammar cannot enforce the request's json_schema (`pattern`, `minimum`, …), if it
   * cannot: an in-process model refuses the request, and routing picks a model that can.
   */
  jsonSchemaBeyondGrammar: string | undefined;
  /** What the request asks that only a model behind an API can give (see `beyondInProcess`), if anything. */
  beyondInProcess: InProcessGap | undefined;
}

export interface InProcessGap {
  /** What is asked, for messages and skip reasons: "audio input", "logprobs", … */
  what: string;
  /** The parameter that asks it. */
  param: string;
}

export function requestNeeds(request: ChatCompletionRequest): RequestNeeds {
  let images = false;
  let toolHistory = false;
  for (const m of request.messages) {
    if (holdsToolHistory(m)) toolHistory = true;
    else if (Array.isArray(m.content) && m.content.some((p) => p.type === "image_url")) images = true;
  }
  const format = request.response_format;
  return {
    tools: toolOffer(request),
    toolHistory,
    images,
    jsonSchema: format?.type === "json_schema",
    jsonSchemaBeyondGrammar: format?.type === "json_schema" ? grammarRefusal(format.json_schema.schema ?? {}) : undefined,
    beyondInProcess: beyondInProcess(request),
  };
}

/**
 * The in-process model reads a text prompt and writes text: audio and file parts would be dropped
 * from its prompt, logprobs, audio output, web search or moderation never produced, and a logit_bias
 * would bias the wrong tokens — a 200 that is not what was asked.
 */
function beyondInProcess(request: ChatCompletionRequest): InProcessGap | undefined {
  const part = firstPart(request.messages, (type) => type === "input_audio" || type === "file");
  if (part) return { what: part.type === "file" ? "file input" : "audio input", param: part.at };
  // Not in the request schema: passed through to cloud models as sent, so read as sent.
  const extra = request as Record<string, unknown>;
  if (extra.logprobs === true) return { what: "logprobs", param: "logprobs" };
  if (extra.top_logprobs != null) return { what: "logprobs", param: "top_logprobs" };
  if (Array.isArray(extra.modalities) && extra.modalities.includes("audio")) return { what: "audio output", param: "modalities" };
  if (extra.audio != null) return { what: "audio output", param: "audio" };
  // Asked of OpenAI, these add to the answer (search results and their citations, moderation results
  // beside it); a local answer without them is one the client did not ask for.
  if (extra.web_search_options != null) return { what: "web search", param: "web_search_options" };
  if (extra.moderation != null) return { what: "moderated completions", param: "moderation" };
  // Its keys are token ids of the client's tokenizer (OpenAI's), other tokens in the local vocabulary.
  if (extra.logit_bias != null && !isEmptyObject(extra.logit_bias)) return { what: "logit_bias", param: "logit_bias" };
  return undefined;
}

/** The first content part whose type `matches`, and where it is (`messages[i].content[j]`): the client sees which part to drop. */
function firstPart(messages: ChatCompletionRequest["messages"], matches: (type: unknown) => boolean): { type: unknown; at: string } | undefined {
  for (let i = 0; i < messages.length; i++) {
    const content = messages[i]!.content;
    if (!Array.isArray(content)) continue;
    for (let j = 0; j < content.length; j++) {
      const type = (content[j] as { type?: unknown }).type;
      if (matches(type)) return { type, at: `messages[${i}].content[${j}]` };
    }
  }
  return undefined;
}

/** Where the first image is, named as audio and file parts are. */
const firstImagePart = (messages: ChatCompletionRequest["messages"]) => firstPart(messages, (type) => type === "image_url")?.at ?? "messages";

function isEmptyObject(value: unknown): boolean {
  return typeof value === "object" && value !== null && !Array.isArray(value) && Object.keys(value).length === 0;
}

/** A choice of `none` offers nothing: the model must answer in text, which any model can. */
function toolOffer(request: ChatCompletionRequest): RequestNeeds["tools"] {
  if (request.tool_choice !== "none" && (request.tools?.length ?? 0) > 0) return "tools";
  if (request.function_call !== "none" && (request.functions?.length ?? 0) > 0) return "functions";
  return undefined;
}

export function assertSupported(request: ChatCompletionRequest, model: ModelEntry): void {
  if (request.n != null && request.n > 1) {
    throw unsupported("n > 1 is not supported: Switchyard returns one choice per request.", "n");
  }
  const needs = requestNeeds(request);
  if (needs.tools && !model.capabilities.tools) {
    throw unsupported(`The model '${model.id}' does not support tools.`, needs.tools);
  }
  if (needs.toolHistory && !model.capabilities.tools) assertNoToolHistory(request.messages, `The model '${model.id}' does not support tools`);
  if (needs.images && !model.capabilities.vision) {
    throw unsupported(`The model '${model.id}' does not accept images.`, firstImagePart(request.messages));
  }
  if (needs.jsonSchema && !model.capabilities.json_schema) {
    throw unsupported(`The model '${model.id}' does not support response_format json_schema.`, "response_format");
  }
  if (needs.beyondInProcess && model.path !== undefined) {
    throw unsupported(`The in-process model '${model.id}' does not support ${needs.beyondInProcess.what}.`, needs.beyondInProcess.param);
  }
  if (needs.jsonSchemaBeyondGrammar !== undefined && model.path !== undefined) throw schemaRefusalError(needs.jsonSchemaBeyondGrammar);
  if (model.path !== undefined) assertPenaltiesInRange(request);
}

const MESSAGE_PARAM = /^messages\[(\d+)\](.*)$/;

/**
 * `assertSupported` for a session's conversation, whose messages are the stored history and the
 * client's: a refusal naming a message names it as the client knows it. `clientIndex[i]` is the
 * client's index of `request.messages[i]`, undefined for one from the store; a refusal of a stored
 * message names the session (`x-session-id`), since nothing in the request can be changed to fix it.
 */
export function assertSupportedAsSent(request: ChatCompletionRequest, model: ModelEntry, clientIndex: readonly (number | undefined)[] | undefined): void {
  try {
    assertSupported(request, model);
  } catch (error) {
    throw clientIndex ? asSent(error, clientIndex) : error;
  }
}

/** A refusal naming `messages[i]` of a session's conversation, naming it as the client sent it (see `assertSupportedAsSent`). */
export function asSent<E>(error: E, clientIndex: readonly (number | undefined)[]): E | GatewayError {
  const at = error instanceof GatewayError && error.param !== null ? MESSAGE_PARAM.exec(error.param) : null;
  if (!at || !(error instanceof GatewayError)) return error;
  const { status, type, code, headers } = error;
  const index = clientIndex[Number(at[1])];
  if (index !== undefined) return new GatewayError(error.message, { status, type, code, headers, param: `messages[${index}]${at[2]}`, cause: error });
  const message = `${error.message} The message is in the session's history (${SESSION_ID_HEADER}), not in this request: continue the session with a model that can take it, or start a new session.`;
  return new GatewayError(message, { status, type, code, headers, param: SESSION_ID_HEADER, cause: error });
}
