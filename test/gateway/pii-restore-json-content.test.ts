/**
 * An answer asked for as JSON (`response_format` json_schema or json_object) gets its placeholders
 * back as JSON string content: a value pasted with tabs or wrapped over a line (a spreadsheet row's
 * SSN, a card number split at the line's end) is restored escaped, so the official client's `parse()`
 * and stream helper read the value the user sent instead of failing on a raw control character.
 */
import { zodResponseFormat } from "openai/helpers/zod";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { NO_FALLBACK_ROUTING, startTestGateway, testModelsYaml, type TestGateway } from "../support/gateway.js";
import { chunkFrame, startRawUpstream, type RawUpstream } from "../support/raw-upstream.js";

type Body = { messages: Array<{ role: string; content: string }>; stream?: boolean };

/** Answers `{"value":"<the last message's first placeholder>"}` as a model asked for JSON would; streamed in pieces of 4 characters. */
async function startJsonUpstream(): Promise<RawUpstream> {
  return startRawUpstream((raw, res) => {
    const body = JSON.parse(raw) as Body;
    const placeholder = body.messages.at(-1)?.content.match(/<[A-Z_]+_\d+>/)?.[0] ?? "no placeholder";
    const content = JSON.stringify({ value: placeholder });
    const base = { id: "chatcmpl-json", created: 1_700_000_000, model: "upstream-gpt" };
    if (!body.stream) {
      res.writeHead(200, { "content-type": "application/json" });
      const choice = { index: 0, message: { role: "assistant", content, refusal: null }, finish_reason: "stop", logprobs: null };
      return res.end(JSON.stringify({ ...base, object: "chat.completion", choices: [choice], usage: { prompt_tokens: 5, completion_tokens: 5, total_tokens: 10 } }));
    }
    res.writeHead(200, { "content-type": "text/event-stream" });
    res.write(chunkFrame(base, { role: "assistant", content: "" }, null));
    for (const piece of content.match(/[\s\S]{1,4}/g) ?? []) res.write(chunkFrame(base, { content: piece }, null));
    res.write(chunkFrame(base, {}, "stop"));
    res.end("data: [DONE]\n\n");
  });
}

const Extracted = z.object({ value: z.string() });
const ROW = "Customer row: SSN\t536\t22\t4187";
const WRAPPED = "card number: 4539 1488\n0343 6467";

let upstream: RawUpstream;
let gw: TestGateway;

beforeAll(async () => {
  upstream = await startJsonUpstream();
  gw = await startTestGateway({ modelsYaml: testModelsYaml({ cloudBaseURL: upstream.baseURL, maxRetries: 0 }), files: { "routing.yaml": NO_FALLBACK_ROUTING }, waitForModels: false });
});
afterAll(async () => {
  await gw?.close();
  await upstream?.close();
});

const ask = (content: string) => ({ model: "fake-gpt", messages: [{ role: "user" as const, content }], response_format: zodResponseFormat(Extracted, "extracted") });

describe("placeholders restored in a JSON answer", () => {
  it("parse() reads a value with tabs as the user wrote it", async () => {
    const result = await gw.client().chat.completions.parse(ask(ROW));
    expect(result.choices[0]?.message.parsed).toEqual({ value: "536\t22\t4187" });
  });

  it("the stream helper reads a value wrapped over a line, the placeholder split across chunks", async () => {
    const final = await gw.client().chat.completions.stream(ask(WRAPPED)).finalChatCompletion();
    expect(final.choices[0]?.message.parsed).toEqual({ value: "4539 1488\n0343 6467" });
  });

  it("json_object answers are JSON too", async () => {
    const result = await gw.client().chat.completions.create({ ...ask(ROW), response_format: { type: "json_object" } });
    expect(JSON.parse(result.choices[0]?.message.content ?? "")).toEqual({ value: "536\t22\t4187" });
  });

  it("a text answer gets the value as written", async () => {
    const result = await gw.client().chat.completions.create({ model: "fake-gpt", messages: [{ role: "user", content: ROW }] });
    expect(result.choices[0]?.message.content).toBe(`{"value":"536\t22\t4187"}`);
  });
});
