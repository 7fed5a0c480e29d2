/**
 * A session's earlier turns go to the cloud again with every later request, and an answer asked for as
 * JSON holds its restored values JSON-escaped: the model writes "Best,\n<PERSON_1>" and the client (and
 * the store) gets "Best,\nMaria Gonzalez", with the line break as the escape `\n`. Replayed, that turn
 * must go out as placeholders again: the escape's letter glued to the name hid it from the recognizers,
 * and the name reached the cloud in the next request.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NO_FALLBACK_ROUTING, SHIPPED_POLICIES, startTestGateway, testModelsYaml, type TestGateway } from "../support/gateway.js";
import { startRawUpstream, type RawUpstream } from "../support/raw-upstream.js";

type Sent = { messages: Array<{ role: string; content: string }>; response_format?: unknown };

let upstream: RawUpstream;
const received: string[] = [];

beforeAll(async () => {
  upstream = await startRawUpstream((raw, res) => {
    received.push(raw);
    const sent = JSON.parse(raw) as Sent;
    const placeholders = sent.messages.at(-1)!.content.match(/<[A-Z_]+_\d+>/g) ?? [];
    // Asked for JSON: a letter signed by the person, sent to the address; else a plain answer.
    const content = sent.response_format ? JSON.stringify({ letter: `Dear team,\nplease call back.\nBest,\n${placeholders[0]}`, to: placeholders[1] }) : "Done.";
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ id: "c", object: "chat.completion", created: 1, model: "upstream-gpt", choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }] }));
  });
});
afterAll(async () => {
  await upstream?.close();
});

async function turn(gw: TestGateway, session: string, content: string, json: boolean): Promise<string> {
  const response = await fetch(`${gw.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-session-id": session },
    body: JSON.stringify({ model: "fake-gpt", messages: [{ role: "user", content }], ...(json ? { response_format: { type: "json_object" } } : {}) }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { choices: [{ message: { content: string } }] }).choices[0].message.content;
}

describe.each(["raw", "sanitized"])("with context_storage: %s", (storage) => {
  let gw: TestGateway;
  beforeAll(async () => {
    const pii = (await readFile(join(SHIPPED_POLICIES, "pii.yaml"), "utf8")).replace(/^context_storage: raw/m, `context_storage: ${storage}`).replace(/^( {2}budget_ms:) \d+/m, "$1 5000");
    gw = await startTestGateway({ modelsYaml: testModelsYaml({ cloudBaseURL: upstream.baseURL, maxRetries: 0 }), files: { "routing.yaml": NO_FALLBACK_ROUTING, "pii.yaml": pii }, waitForModels: false });
  });
  afterAll(async () => {
    await gw?.close();
  });

  it("a JSON answer's restored values go out as placeholders when the session replays it", async () => {
    const session = `json-replay-${storage}-${Date.now()}`;
    const answer = await turn(gw, session, "Draft a letter signed by Maria Gonzalez to 42 Elm Street,\nSpringfield, IL 62704", true);
    expect(JSON.parse(answer)).toEqual({ letter: "Dear team,\nplease call back.\nBest,\nMaria Gonzalez", to: "42 Elm Street,\nSpringfield, IL 62704" });

    await turn(gw, session, "Make it shorter.", false);
    const replayed = received.at(-1)!;
    expect(replayed).toContain("please call back");
    expect(replayed).not.toMatch(/Maria|Gonzalez|Elm Street|Springfield|62704/);
  });
});
