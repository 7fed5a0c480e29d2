/**
 * The Chat Completions request body as the official `openai` client sends it. This schema is the one
 * source of truth for the body's type. Objects are loose: fields we do not know are kept and passed
 * through to cloud providers untouched.
 */
import { z } from "zod";
import { echo } from "./echo.js";

/**
 * The message for a discriminated union's value whose `type` names none of its options (zod's own
 * says only "Invalid input"): the type it had and those `options` accept.
 */
function unknownType(what: string, options: readonly { shape: { type: { value: string } } }[]): z.core.$ZodErrorMap {
  const accepted = options.map((option) => `'${option.shape.type.value}'`).join(", ");
  return (issue) => {
    if (issue.code !== "invalid_union") return undefined;
    const type = (issue.input as { type?: unknown } | undefined)?.type;
    if (type === undefined) return `a ${what} needs a type; expected one of ${accepted}`;
    return `${typeof type === "string" ? `'${echo(type)}'` : `a ${typeof type}`} is not a ${what} type here; expected one of ${accepted}`;
  };
}

const TextPart = z.looseObject({ type: z.literal("text"), text: z.string() });
const ImagePart = z.looseObject({
  type: z.literal("image_url"),
  image_url: z.looseObject({ url: z.string(), detail: z.enum(["auto", "low", "high"]).optional() }),
});
const AudioPart = z.looseObject({
  type: z.literal("input_audio"),
  input_audio: z.looseObject({ data: z.string(), format: z.string() }),
});
const FilePart = z.looseObject({ type: z.literal("file"), file: z.looseObject({}) });
const RefusalPart = z.looseObject({ type: z.literal("refusal"), refusal: z.string() });

const CONTENT_PARTS = [TextPart, ImagePart, AudioPart, FilePart, RefusalPart] as const;
export const ContentPartSchema = z.discriminatedUnion("type", CONTENT_PARTS, { error: unknownType("content part", CONTENT_PARTS) });
export type ContentPart = z.infer<typeof ContentPartSchema>;

const TextContent = z.union([z.string(), z.array(TextPart)]);
const UserContent = z.union([z.string(), z.array(ContentPartSchema)]);

const FunctionToolCall = z.looseObject({
  id: z.string(),
  type: z.literal("function"),
  function: z.looseObject({ name: z.string(), arguments: z.string() }),
});
// openai v5+: a call of a `custom` tool carries free-form text, not JSON arguments.
const CustomToolCall = z.looseObject({
  id: z.string(),
  type: z.literal("custom"),
  custom: z.looseObject({ name: z.string(), input: z.string() }),
});
export const ToolCallSchema = z.discriminatedUnion("type", [FunctionToolCall, CustomToolCall]);
export type ToolCall = z.infer<typeof ToolCallSchema>;

/**
 * What the helpers below read of a tool call: the request schema's `ToolCall` and the SDK's answer
 * types (which have no index signature, so they are not `ToolCall`s to the compiler) both fit.
 */
export type ToolCallShape = { type: "function"; function: { name: string; arguments: string } } | { type: "custom"; custom: { name: string; input: string } };

/**
 * The name and the model-written text of a tool call, whatever its kind: what fingerprints, PII scans
 * and token counts read. `json` says whether the text is JSON (function arguments) or free-form.
 */
export function toolCallParts(call: ToolCallShape): { name: string; text: string; json: boolean } {
  return call.type === "custom"
    ? { name: call.custom.name, text: call.custom.input, json: false }
    : { name: call.function.name, text: call.function.arguments, json: true };
}

/**
 * A copy of the call with `text` as its model-written text: the way back from `toolCallParts`, so
 * code that rewrites that text (restoring pseudonyms) never has to know which field each kind uses.
 */
export function withToolCallText<C extends ToolCallShape>(call: C, text: string): C {
  return (call.type === "custom" ? { ...call, custom: { ...call.custom, input: text } } : { ...call, function: { ...call.function, arguments: text } }) as C;
}

/**
 * A tool call's own fields, which every provider knows; any other is its vendor's (Gemini's
 * `extra_content`). `index` is a streamed piece's, and some servers (Ollama) send it on a whole
 * answer's call too.
 */
export const TOOL_CALL_FIELDS: ReadonlySet<string> = new Set(["index", "id", "type", "function", "custom"]);

/** The call's fields that are its vendor's (not `TOOL_CALL_FIELDS`). */
export function vendorFieldNames(call: object): string[] {
  return Object.keys(call).filter((field) => !TOOL_CALL_FIELDS.has(field));
}

/** Whether the call carries a field of its vendor's (`vendorFieldNames`). */
export function hasVendorFields(call: object): boolean {
  return vendorFieldNames(call).length > 0;
}

/**
 * The call with its own fields only (`TOOL_CALL_FIELDS`), as a provider that did not write it takes
 * it. Only the call's top level: what `function` or `custom` holds goes as it is.
 */
function withoutVendorFields<C extends object>(call: C): C {
  return Object.fromEntries(Object.entries(call).filter(([field]) => TOOL_CALL_FIELDS.has(field))) as C;
}

/**
 * The request with the calls of each message `at` lists (by index) without their vendor fields
 * (`withoutVendorFields`); the same request when it lists none.
 */
export function withoutVendorFieldsAt<R extends ChatCompletionRequest>(request: R, at: readonly number[]): R {
  if (at.length === 0) return request;
  const messages = [...request.messages];
  for (const i of at) {
    const message = messages[i];
    if (message?.role === "assistant" && message.tool_calls) messages[i] = { ...message, tool_calls: message.tool_calls.map(withoutVendorFields) };
  }
  return { ...request, messages };
}

const name = z.string().max(256).optional();

// Deprecated by OpenAI (replaced by `tool_calls`), but still answered when a client sends `functions`:
// the assistant's one call, without an id; the `function` message that follows carries its result.
export const FunctionCallSchema = z.looseObject({ name: z.string(), arguments: z.string() });

export const MessageSchema = z.discriminatedUnion("role", [
  z.looseObject({ role: z.literal("system"), content: TextContent, name }),
  z.looseObject({ role: z.literal("developer"), content: TextContent, name }),
  z.looseObject({ role: z.literal("user"), content: UserContent, name }),
  z.looseObject({
    role: z.literal("assistant"),
    content: z.union([z.string(), z.array(z.discriminatedUnion("type", [TextPart, RefusalPart], { error: unknownType("content part", [TextPart, RefusalPart]) }))]).nullish(),
    name,
    refusal: z.string().nullish(),
    tool_calls: z.array(ToolCallSchema).optional(),
    function_call: FunctionCallSchema.nullish(),
  }),
  z.looseObject({ role: z.literal("tool"), content: TextContent, tool_call_id: z.string() }),
  // Deprecated by OpenAI (replaced by `tool`), but the official types still allow it: cloud models get
  // it as sent; the local model refuses it.
  z.looseObject({ role: z.literal("function"), name: z.string(), content: z.string().nullable() }),
]);
export type ChatMessage = z.infer<typeof MessageSchema>;

/** What OpenAI allows as a tool or schema name; the PII stage treats names of this shape as structure. */
export const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const toolName = z.string().regex(TOOL_NAME, "must be 1-64 letters, digits, underscores or dashes");

const FunctionTool = z.looseObject({
  type: z.literal("function"),
  function: z.looseObject({
    name: toolName,
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
    strict: z.boolean().nullish(),
  }),
});
// openai v5+: a tool the model calls with free-form text, optionally constrained by a grammar.
const CustomTool = z.looseObject({
  type: z.literal("custom"),
  custom: z.looseObject({
    name: toolName,
    description: z.string().optional(),
    format: z
      .discriminatedUnion("type", [
        z.looseObject({ type: z.literal("text") }),
        z.looseObject({
          type: z.literal("grammar"),
          grammar: z.looseObject({ definition: z.string(), syntax: z.enum(["lark", "regex"]) }),
        }),
      ])
      .optional(),
  }),
});
export const ToolSchema = z.discriminatedUnion("type", [FunctionTool, CustomTool]);

// Deprecated by OpenAI (replaced by `tools` and `tool_choice`), but the official types still send them:
// a function offered this way is a tool like any other, and routing and capability checks treat it so.
const FunctionDefinition = z.looseObject({
  name: toolName,
  description: z.string().optional(),
  parameters: z.record(z.string(), z.unknown()).optional(),
});
const FunctionCallChoice = z.union([z.enum(["none", "auto"]), z.looseObject({ name: z.string() })]);

export const ResponseFormatSchema = z.discriminatedUnion("type", [
  z.looseObject({ type: z.literal("text") }),
  z.looseObject({ type: z.literal("json_object") }),
  z.looseObject({
    type: z.literal("json_schema"),
    json_schema: z.looseObject({
      name: z.string().min(1).max(64),
      description: z.string().optional(),
      schema: z.record(z.string(), z.unknown()).optional(),
      strict: z.boolean().nullish(),
    }),
  }),
]);
export type ResponseFormat = z.infer<typeof ResponseFormatSchema>;

export const ChatCompletionRequestSchema = z.looseObject({
  model: z.string().min(1),
  messages: z.array(MessageSchema).min(1, "must contain at least one message"),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  max_tokens: z.int().min(1).nullish(),
  max_completion_tokens: z.int().min(1).nullish(),
  stop: z
    .union([
      z.string(),
      // OpenAI's limit: more would be refused by its API, and local generation checks each one per token.
      z.array(z.string()).max(4, { error: (issue) => `may hold at most ${String(issue.maximum)} stop sequences (got ${(issue.input as unknown[]).length})` }),
    ], { error: "must be a string or an array of at most 4 strings" })
    .nullish(),
  // OpenAI's seed is an int64: clients drawing random 63-bit seeds must not get a 400 (z.int() stops
  // at 2^53). The local sampler takes it modulo 2^32.
  seed: z.number().refine(Number.isInteger, "Invalid input: expected int, received number").nullish(),
  n: z.int().min(1).nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
  tools: z.array(ToolSchema).optional(),
  tool_choice: z
    .union([
      z.enum(["none", "auto", "required"]),
      z.looseObject({ type: z.literal("function"), function: z.looseObject({ name: z.string() }) }),
      z.looseObject({ type: z.literal("custom"), custom: z.looseObject({ name: z.string() }) }),
      // openai v5+ sends this to narrow the tool list without changing it (cache-friendly prompts).
      z.looseObject({
        type: z.literal("allowed_tools"),
        allowed_tools: z.looseObject({ mode: z.enum(["auto", "required"]), tools: z.array(z.record(z.string(), z.unknown())) }),
      }),
    ])
    .optional(),
  // Nullish, not optional: before the schema knew them, a null passed through to cloud models unchecked.
  functions: z.array(FunctionDefinition).nullish(),
  function_call: FunctionCallChoice.nullish(),
  response_format: ResponseFormatSchema.optional(),
  user: z.string().optional(),
  metadata: z
    .record(z.string().max(64), z.string().max(512))
    .refine((m) => Object.keys(m).length <= 16, "may hold at most 16 key-value pairs")
    .nullish(),
}).superRefine((body, context) => {
  // Pairs OpenAI's API refuses with a 400 naming the param: accepted here, they reached a local model
  // as if valid, or a cloud one to be refused there after routing and PII work. "none" and "auto"
  // without tools are left alone.
  // An `allowed_tools` choice in `auto` mode only narrows the list, but in `required` mode it demands a
  // call as 'required' does: a model given no tools answered it in text, the demanded call missing.
  const choice = body.tool_choice;
  const demandsCall = choice === "required" || (typeof choice === "object" && (choice.type !== "allowed_tools" || choice.allowed_tools.mode === "required"));
  if (demandsCall && !body.tools?.length) {
    const chosen = choice === "required" ? "'required'" : typeof choice === "object" && choice.type === "allowed_tools" ? "allowed_tools in 'required' mode" : "a named tool";
    context.addIssue({ code: "custom", path: ["tool_choice"], message: `${chosen} is only allowed when 'tools' are specified` });
  }
  if (typeof body.function_call === "object" && body.function_call !== null && !body.functions?.length) {
    context.addIssue({ code: "custom", path: ["function_call"], message: "a named function is only allowed when 'functions' are specified" });
  }
  if (body.stream_options != null && body.stream !== true) {
    context.addIssue({ code: "custom", path: ["stream_options"], message: "only allowed when 'stream' is true" });
  }
});
export type ChatCompletionRequest = z.infer<typeof ChatCompletionRequestSchema>;

/**
 * The text of a message's content, parts joined; a refusal part (an assistant's earlier refusal, as
 * the SDK replays it) is text the model reads too. Other non-text parts contribute nothing.
 */
export function messageText(message: ChatMessage): string {
  const content = message.content;
  if (content == null) return "";
  if (typeof content === "string") return content;
  let text = "";
  for (const part of content) {
    if (part.type === "text") text += (text ? "\n" : "") + part.text;
    else if (part.type === "refusal") text += (text ? "\n" : "") + part.refusal;
  }
  return text;
}

/**
 * What a message puts in the prompt: its text and, for an assistant message, the name and arguments
 * of each call it made (`tool_calls` or the deprecated `function_call`), which a provider sends the
 * model and bills like text. Without calls, the text itself (no copy).
 */
export function promptText(message: ChatMessage): string {
  const text = messageText(message);
  if (message.role !== "assistant") return text;
  let calls = "";
  for (const call of message.tool_calls ?? []) {
    const { name, text: args } = toolCallParts(call);
    calls += `\n${name} ${args}`;
  }
  if (message.function_call) calls += `\n${message.function_call.name} ${message.function_call.arguments}`;
  return calls === "" ? text : text + calls;
}

/**
 * The definitions a request offers (`tools`, and the deprecated `functions`), one text each: a
 * provider puts them in the prompt and bills them like text whatever `tool_choice` says (`none`
 * forbids calls, it does not hide the tools), and a PII scan must read them too.
 */
export function toolDefinitionTexts(request: Pick<ChatCompletionRequest, "tools" | "functions">): string[] {
  const texts: string[] = [];
  for (const tool of request.tools ?? []) texts.push(JSON.stringify(tool));
  for (const definition of request.functions ?? []) texts.push(JSON.stringify(definition));
  return texts;
}

/** The max-tokens cap the client asked for, whichever of the two spellings it used. */
export function requestedMaxTokens(request: ChatCompletionRequest): number | undefined {
  return request.max_completion_tokens ?? request.max_tokens ?? undefined;
}
