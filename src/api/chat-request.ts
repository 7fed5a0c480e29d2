/**
 * The Chat Completions request body as the official `openai` client sends it. This schema is the one
 * source of truth for the body's type. Objects are loose: fields we do not know are kept and passed
 * through to cloud providers untouched.
 */
import { z } from "zod";

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

export const ContentPartSchema = z.discriminatedUnion("type", [TextPart, ImagePart, AudioPart, FilePart, RefusalPart]);
export type ContentPart = z.infer<typeof ContentPartSchema>;

const TextContent = z.union([z.string(), z.array(TextPart)]);
const UserContent = z.union([z.string(), z.array(ContentPartSchema)]);

export const ToolCallSchema = z.looseObject({
  id: z.string(),
  type: z.literal("function"),
  function: z.looseObject({ name: z.string(), arguments: z.string() }),
});
export type ToolCall = z.infer<typeof ToolCallSchema>;

const name = z.string().max(256).optional();

export const MessageSchema = z.discriminatedUnion("role", [
  z.looseObject({ role: z.literal("system"), content: TextContent, name }),
  z.looseObject({ role: z.literal("developer"), content: TextContent, name }),
  z.looseObject({ role: z.literal("user"), content: UserContent, name }),
  z.looseObject({
    role: z.literal("assistant"),
    content: z.union([z.string(), z.array(z.union([TextPart, RefusalPart]))]).nullish(),
    name,
    refusal: z.string().nullish(),
    tool_calls: z.array(ToolCallSchema).optional(),
  }),
  z.looseObject({ role: z.literal("tool"), content: TextContent, tool_call_id: z.string() }),
]);
export type ChatMessage = z.infer<typeof MessageSchema>;

export const ToolSchema = z.looseObject({
  type: z.literal("function"),
  function: z.looseObject({
    name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, "must be 1-64 letters, digits, underscores or dashes"),
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
    strict: z.boolean().nullish(),
  }),
});

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
  stop: z.union([z.string(), z.array(z.string()).max(4)]).nullish(),
  seed: z.int().nullish(),
  n: z.int().min(1).nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
  tools: z.array(ToolSchema).optional(),
  tool_choice: z
    .union([
      z.enum(["none", "auto", "required"]),
      z.looseObject({ type: z.literal("function"), function: z.looseObject({ name: z.string() }) }),
      // openai v5+ sends this to narrow the tool list without changing it (cache-friendly prompts).
      z.looseObject({
        type: z.literal("allowed_tools"),
        allowed_tools: z.looseObject({ mode: z.enum(["auto", "required"]), tools: z.array(z.record(z.string(), z.unknown())) }),
      }),
    ])
    .optional(),
  response_format: ResponseFormatSchema.optional(),
  user: z.string().optional(),
  metadata: z
    .record(z.string().max(64), z.string().max(512))
    .refine((m) => Object.keys(m).length <= 16, "may hold at most 16 key-value pairs")
    .nullish(),
});
export type ChatCompletionRequest = z.infer<typeof ChatCompletionRequestSchema>;

/** The text of a message's content, parts joined; non-text parts contribute nothing. */
export function messageText(message: ChatMessage): string {
  const content = message.content;
  if (content == null) return "";
  if (typeof content === "string") return content;
  let text = "";
  for (const part of content) {
    if (part.type === "text") text += (text ? "\n" : "") + part.text;
  }
  return text;
}

/** The max-tokens cap the client asked for, whichever of the two spellings it used. */
export function requestedMaxTokens(request: ChatCompletionRequest): number | undefined {
  return request.max_completion_tokens ?? request.max_tokens ?? undefined;
}
