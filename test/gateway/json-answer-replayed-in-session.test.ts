/**
 * A session's earlier turns go to the cloud again with every later request, and an answer asked for as
 * JSON holds its restored values JSON-escaped: the model writes "Best,\n<PERSON_1>" and the client (and
 * the store) gets "Best,\nMaria Gonzalez", with the line break as the escape `\n`. Replayed, that turn
 * must go out as placeholders again: the escape's letter glued to the name hid it from the recognizers,
 * and the name reached the cloud in the next request.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { NO_FALLBACK_ROUTING, startTestGateway, testModelsYaml, type TestGateway } from "../support/gateway.js";
import { startRawUpstream, type RawUpstream } from "../support/raw-upstream.js";

type Sent = { messages: Array<{ role: string; content: string }>; response_format?: unknown };

let upstream: RawUpstream;
let gw: TestGateway;
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
  gw = await startTestGateway({ modelsYaml: testModelsYaml({ cloudBaseURL: upstream.baseURL, maxRetries: 0 }), files: { "routing.yaml": NO_FALLBACK_ROUTING }, waitForModels: false });
});
afterAll(async () => {
  await gw?.close();
  await upstream?.close();
});

async function turn(session: string, content: string, json: boolean): Promise<string> {
  const response = await fetch(`${gw.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-session-id": session },
    body: JSON.stringify({ model: "fake-gpt", messages: [{ role: "user", content }], ...(json ? { response_format: { type: "json_object" } } : {}) }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { choices: [{ message: { content: string } }] }).choices[0].message.content;
}

it("a JSON answer's restored values go out as placeholders when the session replays it", async () => {
  const session = `json-replay-${Date.now()}`;
  const answer = await turn(session, "Draft a letter signed by Maria Gonzalez to 42 Elm Street,\nSpringfield, IL 62704", true);
  expect(JSON.parse(answer)).toEqual({ letter: "Dear team,\nplease call back.\nBest,\nMaria Gonzalez", to: "42 Elm Street,\nSpringfield, IL 62704" });

  await turn(session, "Make it shorter.", false);
  const replayed = received.at(-1)!;
  expect(replayed).toContain("please call back");
  expect(replayed).not.toMatch(/Maria|Gonzalez|Elm Street|Springfield|62704/);
});
