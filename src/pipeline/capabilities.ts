/**
 * Refuses, with a 400 that names the parameter, anything the chosen model cannot do — instead of
 * silently dropping a tool list or an image and answering something else.
 */
import type { ChatCompletionRequest } from "../api/chat-request.js";
import { assertNoToolHistory, holdsToolHistory } from "../api/tool-history.js";
import { unsupported } from "../errors.js";
import type { ModelEntry } from "../models/registry.js";
import { grammarRefusal, schemaRefusalError } from "../providers/local/grammar-schema.js";

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
  };
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
    throw unsupported(`The model '${model.id}' does not accept images.`, "messages");
  }
  if (needs.jsonSchema && !model.capabilities.json_schema) {
    throw unsupported(`The model '${model.id}' does not support response_format json_schema.`, "response_format");
  }
  if (needs.jsonSchemaBeyondGrammar !== undefined && model.path !== undefined) throw schemaRefusalError(needs.jsonSchemaBeyondGrammar);
}
