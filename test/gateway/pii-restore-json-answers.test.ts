/**
 * An answer asked for as JSON (`response_format` json_object or json_schema) stays JSON when its
 * placeholders are restored: a value holding a line break (an address written over two lines) or a
 * backslash (a URL) is written into the JSON string as JSON writes it, whole or streamed in pieces
 * that split the placeholder. The client parses the content and reads the value the user wrote.
 */
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NO_FALLBACK_ROUTING, startTestGateway, testModelsYaml, type TestGateway } from "../support/gateway.js";
import { chunkFrame, startRawUpstream, type RawUpstream } from "../support/raw-upstream.js";

type Sent = { messages: Array<{ role: string; content: string }>; stream?: boolean };

const ADDRESS = "42 Elm Street,\nSpringfield, IL 62704";
const LINK = String.raw`https://example.com/a\b\c`;
const BASE = { id: "chatcmpl-json", created: 1_700_000_000, model: "upstream-gpt" };

let upstream: RawUpstream;
let gw: TestGateway;
let client: OpenAI;

/** The model's JSON answer: each placeholder the gateway sent, as the value of a field. */
function jsonAnswer(sent: Sent): string {
  const placeholders = sent.messages.at(-1)!.content.match(/<[A-Z_]+_\d+>/g) ?? [];
  return JSON.stringify({ values: placeholders });
}

beforeAll(async () => {
  upstream = await startRawUpstream((raw, res) => {
    const sent = JSON.parse(raw) as Sent;
    const answer = jsonAnswer(sent);
    if (!sent.stream) {
      res.writeHead(200, { "content-type": "application/json" });
      const choice = { index: 0, message: { role: "assistant", content: answer, refusal: null }, finish_reason: "stop", logprobs: null };
      return res.end(JSON.stringify({ ...BASE, object: "chat.completion", choices: [choice], usage: { prompt_tokens: 5, completion_tokens: 5, total_tokens: 10 } }));
    }
    res.writeHead(200, { "content-type": "text/event-stream" });
    // One character a chunk: every placeholder is split at every point.
    for (const piece of answer) res.write(chunkFrame(BASE, { content: piece }, null));
    res.write(chunkFrame(BASE, {}, "stop"));
    res.end("data: [DONE]\n\n");
  });
  gw = await startTestGateway({
    modelsYaml: testModelsYaml({ cloudBaseURL: upstream.baseURL, maxRetries: 0 }),
    files: { "routing.yaml": NO_FALLBACK_ROUTING },
    waitForModels: false,
  });
  client = gw.client();
});
afterAll(async () => {
  await gw?.close();
  await upstream?.close();
});

const PROMPT = `Ship to ${ADDRESS} and link ${LINK} in the note.`;
const FORMATS = {
  json_object: { type: "json_object" },
  json_schema: { type: "json_schema", json_schema: { name: "note", schema: { type: "object", properties: { values: { type: "array", items: { type: "string" } } } } } },
} as const;

describe.each(Object.keys(FORMATS) as Array<keyof typeof FORMATS>)("a %s answer", (format) => {
  const body = { model: "fake-gpt", messages: [{ role: "user" as const, content: PROMPT }], response_format: FORMATS[format] };

  it("parses, with the values restored as written", async () => {
    const completion = await client.chat.completions.create(body);
    expect(JSON.parse(completion.choices[0]!.message.content!)).toEqual({ values: [ADDRESS, LINK] });
  });

  it("parses when streamed a character at a time, with the values restored as written", async () => {
    let content = "";
    for await (const chunk of await client.chat.completions.create({ ...body, stream: true })) content += chunk.choices[0]?.delta.content ?? "";
    expect(JSON.parse(content)).toEqual({ values: [ADDRESS, LINK] });
  });
});

it("a text answer gets the values back as the user wrote them, not escaped", async () => {
  const completion = await client.chat.completions.create({ model: "fake-gpt", messages: [{ role: "user", content: PROMPT }] });
  expect(completion.choices[0]!.message.content).toBe(`{"values":["${ADDRESS}","${LINK}"]}`);
});
