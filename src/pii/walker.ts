/**
 * Where text travels in a chat request, and which of it is structure. The walker knows the paths of
 * the request's structural strings (roles, types, ids, request settings, tool and schema names of
 * the shape OpenAI allows, inline binary data) and skips them there only. Everything else reaches the
 * scanner: text fields as text, and caller data (tool-call arguments, metadata, JSON schemas, fields
 * the gateway does not know) as data, whatever its keys are called: `{"id": "ann@example.com"}` in an
 * extension object is a value like any other.
 *
 * Rebuilds only what changes: an object whose values all stay the same is returned as is, so a
 * request without PII costs no copies.
 */
import { TOOL_NAME, type ChatCompletionRequest, type ChatMessage } from "../api/chat-request.js";
import { GatewayError } from "../errors.js";
import { hasDuplicateKeys } from "./json-duplicate-keys.js";

/**
 * Two keys of one object rewritten to one name (under `redact`, "ann@example.com" and
 * "bob@example.com" are both "<EMAIL_ADDRESS>"): sending one of them would drop the other's value or
 * schema without a word, so the request is refused (400).
 */
export class PiiNameCollisionError extends GatewayError {
  constructor(readonly collided: string) {
    super(`Two object keys or schema property names of the request would be sent under the same name (${collided}) once their personal data is rewritten; rename them or change the PII action for their type.`, {
      status: 400,
      type: "invalid_request_error",
      code: "pii_name_collision",
    });
  }
}

export interface Scanner {
  /** `text` as the policy rewrites it. */
  text(text: string): string;
  /** A JSON value's text as the policy rewrites it, its `key` read as context (key-context.ts). */
  value(text: string, key: string): string;
  /**
   * A message's consecutive text parts as the policy rewrites them, each read on its own and all as
   * the one text the model gets (text-run.ts): a value split across two parts is found too; `parts`
   * itself when nothing changes.
   */
  textParts(parts: readonly string[]): readonly string[];
  /**
   * `text` as the policy rewrites it, with what its other `readings` hold added: each finding of a
   * reading at `toText` of its offsets.
   */
  textAlsoRead(text: string, readings: readonly string[], toText: (offset: number) => number): string;
  /**
   * A name of the identifier shape as the policy rewrites it when it holds a value such as a card
   * number, an SSN or a token; itself when the scan finds only words in it (people, places).
   */
  identifierName(name: string): string;
  /** Counts content the scan cannot read (images, audio, files). */
  nonText(kind: string): void;
  /**
   * The request's top-level field walked next: its name when the gateway knows the field, null for
   * one it does not (whose name is the client's text, which may itself be personal data or a secret).
   */
  field(name: string | null): void;
  /** A message name rewritten to `sanitized`, which goes out without its placeholders' brackets (`PERSON_1`). */
  bareName(sanitized: string): void;
  /**
   * A hosted image's URL as the policy rewrites it: the address itself is how the image travels
   * (governed, like the image, by `non_text_content`), so only personal data inside it is rewritten.
   */
  imageAddress(url: string): string;
}

export interface RequestWalker {
  request(request: ChatCompletionRequest): ChatCompletionRequest;
  message(message: ChatMessage): ChatMessage;
}

/**
 * Request fields that are settings, not content: their values are numbers, booleans, enums or token
 * ids the client picks from OpenAI's documented options.
 */
/** Text that may be a JSON object or array (whether it parses is for JSON.parse to say). */
const JSON_START = /^\s*[[{]/;
/** Schema keywords whose value is a map from property name to a schema. */
const SCHEMAS_BY_PROPERTY = new Set(["properties", "dependentSchemas"]);
/** Schema keywords whose value is a value the described data may take, not a schema. */
const SCHEMA_INSTANCES = new Set(["default", "const", "enum", "examples"]);
/**
 * A JSON-Schema meta-schema URI (`$schema`), which the `openai` client's zod helpers put in every
 * schema: it names the dialect, and scanned as a URL it made every structured request "personal data".
 */
const META_SCHEMA_URI = /^https?:\/\/json-schema\.org\/(?:draft-0[3-7]\/schema|draft\/20[12]\d-\d\d\/schema)#?$/;

const REQUEST_SETTINGS = new Set([
  "model",
  "stream",
  "stream_options",
  "temperature",
  "top_p",
  "n",
  "seed",
  "max_tokens",
  "max_completion_tokens",
  "presence_penalty",
  "frequency_penalty",
  "logit_bias",
  "logprobs",
  "top_logprobs",
  "parallel_tool_calls",
  "store",
  "reasoning_effort",
  "service_tier",
  "modalities",
  "verbosity",
]);
/** The request's fields besides its settings that the gateway knows by name. */
const NAMED_FIELDS = new Set(["messages", "tools", "functions", "tool_choice", "function_call", "response_format", "user", "stop", "metadata"]);
/** Known fields of free text: scanned as text, not as a value under its key. */
const TEXT_FIELDS = ["description", "definition", "filename"];
const NON_TEXT_PARTS = new Set(["image_url", "input_audio", "file"]);
const NAME_UNSAFE = /[^A-Za-z0-9_-]/g;
/**
 * `name` with its separators and camelCase humps as spaces, and where each offset of `name` is in it
 * (`toText(name.length)` is its length).
 */
function spacedName(name: string): { text: string; toText: (offset: number) => number } {
  const at: number[] = [];
  let text = "";
  for (let i = 0; i < name.length; i++) {
    const c = name[i]!;
    if (i > 0 && /[A-Z]/.test(c) && /[a-z]/.test(name[i - 1]!)) text += " ";
    at.push(text.length);
    text += c === "_" || c === "-" ? " " : c;
  }
  at.push(text.length);
  return { text, toText: (offset) => at[offset]! };
}

/** In valid JSON: a string (skipped whole, so digits inside it never match) or a number. */
const JSON_TOKEN = /"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g;
const UNSAFE_INTEGER = /^-?\d{16,}$/;
/**
 * The shortest personal value a JSON number can hold is a 7-digit phone number; a card, SSN or phone
 * number is never a fraction. Skipping the rest keeps numeric data (prices, counts, series of
 * measurements) from costing two scans per number: 5,000 of them would overrun the scan budget.
 */
const mayHoldPii = (n: number) => Number.isInteger(n) && Math.abs(n) >= 1_000_000;

/**
 * How caller data is walked. `keyed`: object keys are client text too ({"ann@example.com": "vip"}).
 * `schema`: a JSON schema, whose keys are keywords ("type", "enum") and whose property names are the
 * tool's interface (see `propertyName`). `instance`: a value a schema holds (`default`, `enum`, …):
 * scanned without its keys' context, as keywords are no context for it.
 */
type DataKind = "keyed" | "schema" | "instance";
type Record_ = Record<string, unknown>;
/** A field visitor's answer for a field the walker does not know (see `mapObject`). */
const CALLER_DATA = Symbol("caller data");
const keep = (key: string) => key;

function parsesAsJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

const isTextPart = (node: unknown) => isRecord(node) && node.type === "text" && typeof node.text === "string";
const isRecord = (node: unknown): node is Record_ => node !== null && typeof node === "object" && !Array.isArray(node);

/**
 * @example
 * const walker = requestWalker({ text: (t) => applyActions(t, engine.scan(t), ctx), value: (t) => t, nonText: () => {}, field: () => {}, bareName: () => {}, imageAddress: (u) => u });
 * const sanitized = walker.request(request);
 */
export function requestWalker(scan: Scanner): RequestWalker {
  // ---- caller data: every value is content ----

  // `key` is the nearest object key above the value (an array's items share their array's), or null
  // where the value is free text of a known field.
  function data(node: unknown, kind: DataKind, key: string | null): unknown {
    if (typeof node === "string") return dataText(node, key);
    if (typeof node === "number") return number(node, key);
    if (Array.isArray(node)) return mapArray(node, (item) => data(item, kind, key));
    if (isRecord(node)) return kind === "keyed" ? keyedObject(node) : kind === "schema" ? schemaObject(node) : mapObject(node, (v) => data(v, kind, null));
    return node;
  }

  /**
   * A schema object: its keywords stay, the values under them are scanned without a key (a keyword is
   * no context for a value). Property names travel under several keywords (`properties`, `required`,
   * `dependentRequired`, `dependencies`, `dependentSchemas`) and each is rewritten by `propertyName`, so
   * a name `required` lists is still the name of a property (strict structured outputs refuse it otherwise).
   */
  function schemaObject(record: Record_): Record_ {
    return mapObject(record, (v, k) => {
      if (k === "$schema" && typeof v === "string" && META_SCHEMA_URI.test(v)) return v;
      if (SCHEMAS_BY_PROPERTY.has(k) && isRecord(v)) return renameKeys(v, propertyName, (schema) => data(schema, "schema", null));
      if (k === "required" && Array.isArray(v)) return propertyNames(v);
      if (k === "dependentRequired" && isRecord(v)) return renameKeys(v, propertyName, propertyNames);
      // Draft 4-7: a property's list of required names, or a schema.
      if (k === "dependencies" && isRecord(v)) return renameKeys(v, propertyName, (needs) => (Array.isArray(needs) ? propertyNames(needs) : data(needs, "schema", null)));
      return data(v, SCHEMA_INSTANCES.has(k) ? "instance" : "schema", null);
    }) as Record_;
  }

  /**
   * A property name of the identifier shape OpenAI allows for tool names is the tool's interface,
   * written by the developer ("London", "first_name"): rewriting it would change what the model must
   * answer, so it stays unless it holds a value other than words ("4111111111111111", "ghp_…").
   * Any other name ("ann@example.com", "John Smith") could carry a value and is scanned; one
   * name gives one result wherever the schema lists it, as the vault gives a value one placeholder.
   */
  const propertyName = (name: string) => (TOOL_NAME.test(name) ? scan.identifierName(name) : text(name));
  const propertyNames = (names: unknown) => mapArray(names, (name) => (typeof name === "string" ? propertyName(name) : data(name, "schema", null)));

  /**
   * A string of caller data that is itself a JSON object or array (a request `body` argument, a
   * serialized payload) is walked as JSON like a call's arguments (`jsonText`): its escapes read as
   * what they spell, each value with its own key.
   */
  function dataText(node: string, key: string | null): string {
    if (JSON_START.test(node) && parsesAsJson(node)) return jsonText(node);
    return key === null || node.length === 0 ? text(node) : scan.value(node, key);
  }

  /**
   * A card, SSN or phone number can travel as a JSON number ({"ssn": 536224187}). Its text is what
   * JSON.stringify writes, so that is what is scanned; a number holding PII goes out as the rewritten
   * string ("<US_SSN_1>"), which restores to the number's digits.
   */
  function number(node: number, key: string | null): unknown {
    if (!mayHoldPii(node)) return node;
    const digits = String(node);
    const next = dataText(digits, key);
    return next === digits ? node : next;
  }

  // Keys are sanitized like values (a pseudonym restores in the answer); the key order is kept.
  const keyedObject = (record: Record_) => renameKeys(record, text, (v, k) => data(v, "keyed", k));

  /**
   * Each key through `rename` and each value through `visit`, in order (a field `visit` answers
   * `CALLER_DATA` for is caller data, name and value); the record itself when nothing changes.
   */
  function renameKeys(record: Record_, rename: (key: string) => string, visit: (value: unknown, key: string) => unknown): Record_ {
    const entries = Object.entries(record);
    let changed = false;
    for (const entry of entries) {
      const [k, v] = entry;
      let next = visit(v, k);
      const name = next === CALLER_DATA ? text(k) : rename(k);
      if (next === CALLER_DATA) next = data(v, "keyed", k);
      if (name !== k || next !== v) {
        entry[0] = name;
        entry[1] = next;
        changed = true;
      }
    }
    if (!changed) return record;
    const names = new Set<string>();
    for (const [name] of entries) {
      if (names.has(name)) throw new PiiNameCollisionError(name);
      names.add(name);
    }
    // fromEntries defines properties, so a "__proto__" key stays data and never sets the prototype.
    return Object.fromEntries(entries);
  }

  const text = (node: string) => (node.length === 0 ? node : scan.text(node));
  /** A field the gateway does not know, or a known one holding something other than its shape: data. */
  const unknown = (node: unknown, key: string | null = null) => data(node, "keyed", key);
  /** A structural scalar stays; anything nested under a structural key is still scanned. */
  const structural = (node: unknown) => (node !== null && typeof node === "object" ? unknown(node) : node);
  const textField = (node: unknown) => (typeof node === "string" ? text(node) : unknown(node));

  // ---- the request's known shape ----

  function request(node: ChatCompletionRequest): ChatCompletionRequest {
    return mapObject(node as Record_, (v, k) => {
      scan.field(REQUEST_SETTINGS.has(k) || NAMED_FIELDS.has(k) ? k : null);
      if (REQUEST_SETTINGS.has(k)) return structural(v);
      switch (k) {
        case "messages":
          // Each message by its index, for a refusal's param (`messages[2]`; a stored one names the session).
          return mapArray(v, indexed("messages", message));
        case "tools":
          return mapArray(v, tool);
        case "functions":
          return mapArray(v, functionDefinition);
        case "tool_choice":
        case "function_call":
          return toolChoice(v);
        case "response_format":
          return responseFormat(v);
        default:
          // `user`, `stop`, `metadata` and extension fields alike.
          return CALLER_DATA;
      }
    }) as ChatCompletionRequest;
  }

  function message(node: unknown): ChatMessage {
    return mapObject(node, (v, k, record) => {
      switch (k) {
        case "role":
        case "tool_call_id":
          return structural(v);
        case "name":
          return messageName(v);
        case "content":
          // A tool's result is often a JSON record: read field by field, so each value is scanned with
          // its key as context ("last_name": "Gonzalez"), as a call's arguments are.
          if ((record.role === "tool" || record.role === "function") && typeof v === "string" && JSON_START.test(v)) return jsonText(v);
          return Array.isArray(v) ? contentParts(v) : textField(v);
        case "refusal":
          return Array.isArray(v) ? mapArray(v, contentPart) : textField(v);
        case "tool_calls":
          return mapArray(v, toolCall);
        case "function_call":
          return record.role === "assistant" ? call(v, "arguments") : unknown(v, k);
        default:
          return CALLER_DATA;
      }
    }) as ChatMessage;
  }

  /**
   * OpenAI restricts names to [A-Za-z0-9_-], so a person's name arrives as "John_Smith", "Anne-Marie"
   * or "JohnSmith", which the recognizers (made for prose) do not read as words ("ask_John_Smith" would
   * give up "John" alone): it is read with its separators and camelCase humps as spaces, as written
   * (a token such as `ghp_…` is one by its underscores, also when a person's name follows it), and
   * with its underscores alone as spaces (an SSN keeps its hyphens). What the readings find is
   * rewritten in the spaced one, so a `block` from any of them fires. What
   * goes out is identifier-safe: "<PERSON_1>" becomes "PERSON_1", "ask <PERSON_1>" "ask_PERSON_1".
   */
  function messageName(name: unknown): unknown {
    if (typeof name !== "string") return unknown(name);
    const words = spacedName(name);
    const sanitized = words.text === name ? text(name) : scan.textAlsoRead(words.text, [name, name.replaceAll("_", " ")], words.toText);
    if (sanitized === words.text) return name;
    scan.bareName(sanitized);
    return sanitized.replace(/\s+/g, "_").replace(NAME_UNSAFE, "").slice(0, 64) || "user";
  }

  /**
   * Content parts, each walked on its own; the texts of each run of consecutive text parts are also
   * read together, as the one text providers join them into (text-run.ts).
   */
  function contentParts(parts: readonly unknown[]): unknown {
    let changed: unknown[] | null = null;
    for (let start = 0; start < parts.length; ) {
      let end = start;
      while (end < parts.length && isTextPart(parts[end])) end++;
      if (end - start < 2) end = start + 1;
      const texts = end - start > 1 ? scan.textParts(parts.slice(start, end).map((part) => (part as { text: string }).text)) : undefined;
      for (let i = start; i < end; i++) {
        const next = contentPart(parts[i], texts?.[i - start]);
        if (next !== parts[i]) (changed ??= parts.slice())[i] = next;
      }
      start = end;
    }
    return changed ?? parts;
  }

  /** `joinedText`: the part's text as read with its neighbours (`contentParts`), already rewritten. */
  function contentPart(node: unknown, joinedText?: string): unknown {
    const type = isRecord(node) ? node.type : undefined;
    if (typeof type === "string" && NON_TEXT_PARTS.has(type)) scan.nonText("NON_TEXT_CONTENT");
    return mapObject(node, (v, k) => {
      if (k === "type") return structural(v);
      if (k === type) {
        if (k === "image_url") return imageUrl(v);
        if (k === "input_audio") return fields(v, { data: structural, format: structural });
        // file_data is inline base64 and file_id a reference; the filename is the client's text.
        if (k === "file") return fields(v, { file_data: structural, file_id: structural });
      }
      if (k === "text" && joinedText !== undefined) return joinedText;
      return k === "text" || k === "refusal" ? textField(v) : CALLER_DATA;
    });
  }

  function imageUrl(node: unknown): unknown {
    return mapObject(node, (v, k) => {
      if (k === "detail") return structural(v);
      // Inline image bytes, governed by `non_text_content`, like a hosted image's address: a
      // placeholder in its place would leave the cloud model an image it cannot fetch.
      if (k === "url" && typeof v === "string") return v.startsWith("data:") ? v : scan.imageAddress(v);
      return k === "url" ? textField(v) : CALLER_DATA;
    });
  }

  function toolCall(node: unknown): unknown {
    return mapObject(node, (v, k) => {
      if (k === "id" || k === "type") return structural(v);
      if (k === "function") return call(v, "arguments");
      if (k === "custom") return call(v, "input");
      return CALLER_DATA;
    });
  }

  /** A call's body: a function's JSON arguments, or a custom tool's free-form input. */
  function call(node: unknown, payload: "arguments" | "input"): unknown {
    return mapObject(node, (v, k) => {
      if (k === "name") return identifier(v);
      if (k === payload) return payload === "arguments" && typeof v === "string" ? jsonText(v) : textField(v);
      return CALLER_DATA;
    });
  }

  /**
   * Only a name of the identifier shape OpenAI allows is structure; anything else (a call's name in
   * resent history is not validated) could carry a value, so it is scanned.
   */
  const identifier = (name: unknown) => (typeof name === "string" && TOOL_NAME.test(name) ? name : unknown(name));

  function tool(node: unknown): unknown {
    return mapObject(node, (v, k) => {
      if (k === "type") return structural(v);
      if (k === "function") return functionDefinition(v);
      if (k === "custom") return customTool(v);
      return CALLER_DATA;
    });
  }

  function functionDefinition(node: unknown): unknown {
    return fields(node, { name: identifier, strict: structural, parameters: (v) => data(v, "schema", null) });
  }

  function customTool(node: unknown): unknown {
    return fields(node, {
      name: identifier,
      format: (format) => fields(format, { type: structural, grammar: (grammar) => fields(grammar, { syntax: structural }) }),
    });
  }

  function responseFormat(node: unknown): unknown {
    return fields(node, {
      type: structural,
      json_schema: (schema) => fields(schema, { name: identifier, strict: structural, schema: (v) => data(v, "schema", null) }),
    });
  }

  /** `tool_choice` and the deprecated `function_call`: a mode, or a reference to a tool by name. */
  function toolChoice(node: unknown): unknown {
    if (typeof node === "string") return node;
    return fields(node, {
      type: structural,
      function: (ref) => fields(ref, { name: identifier }),
      custom: (ref) => fields(ref, { name: identifier }),
      name: identifier,
      allowed_tools: (allowed) => fields(allowed, { mode: structural, tools: (tools) => mapArray(tools, toolChoice) }),
    });
  }

  /**
   * An object whose listed fields are walked their own way; every other field is data. Known text
   * fields (a description, a grammar) are free text, scanned without their key.
   */
  function fields(node: unknown, known: Readonly<Record<string, (value: unknown) => unknown>>): unknown {
    return mapObject(node, (v, k) => (Object.hasOwn(known, k) ? known[k]!(v) : TEXT_FIELDS.includes(k) ? textField(v) : CALLER_DATA));
  }

  // Tool-call arguments are JSON: scan the decoded strings so escapes cannot hide a value, and keep the
  // result valid JSON. Arguments that do not parse are scanned as plain text.
  function jsonText(json: string): string {
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch {
      return text(json);
    }
    const next = data(parsed, "keyed", null);
    // Re-serialized, every number is written as the text its scan saw. A key named twice in one object
    // is too: JSON.parse kept its last value only, and the earlier one, never scanned, must not go out.
    if (next !== parsed || hasDuplicateKeys(json, parsed)) return JSON.stringify(next);
    // Sent as the client wrote it: an integer beyond 2^53 (a 19-digit card) is not what JSON.parse
    // read back, so the text scanned was not the one sent: scan the digits as written too.
    return json.replace(JSON_TOKEN, (token) => (UNSAFE_INTEGER.test(token) && !Number.isSafeInteger(Number(token)) ? numberToken(token) : token));
  }

  function numberToken(token: string): string {
    const next = text(token);
    return next === token ? token : JSON.stringify(next);
  }

  /**
   * Each field through `visit`; a record that is not an object (or an array) is data. A field `visit`
   * answers `CALLER_DATA` for is one the walker does not know: its name is client text as much as its
   * value ({"ann@example.com": true} at the top of a request), so both are scanned.
   */
  function mapObject(node: unknown, visit: (value: unknown, key: string, record: Record_) => unknown): Record_ | unknown {
    if (!isRecord(node)) return unknown(node);
    return renameKeys(node, keep, (v, k) => visit(v, k, node));
  }

  /** `visit` with the field set to `name[i]` for the i-th item it is called with. */
  function indexed(name: string, visit: (item: unknown) => unknown): (item: unknown) => unknown {
    let index = 0;
    return (item) => {
      scan.field(`${name}[${index++}]`);
      return visit(item);
    };
  }

  function mapArray(node: unknown, visit: (item: unknown) => unknown): unknown {
    if (!Array.isArray(node)) return unknown(node);
    let changed: unknown[] | null = null;
    for (let i = 0; i < node.length; i++) {
      const next = visit(node[i]);
      if (next !== node[i]) (changed ??= node.slice())[i] = next;
    }
    return changed ?? node;
  }

  return { request, message };
}
