/**
 * Text the client typed like a placeholder ("What does <EMAIL_ADDRESS_1> mean?") is never taken for
 * one, also when the request (or the session's history) reaches that text before the value the vault
 * then numbers 1: the same text, an earlier message, a message name's alias. The gateway never hands
 * out a placeholder the conversation already holds as typed text, so the model's echo of the typed text
 * comes back as typed and the real value as itself.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NO_FALLBACK_ROUTING, startTestGateway, testModelsYaml, type TestGateway } from "../support/gateway.js";
import { startRawUpstream, type RawUpstream } from "../support/raw-upstream.js";

type Message = { role: string; content?: string; name?: string };

let upstream: RawUpstream;
let gw: TestGateway;
/** What the upstream received last: every message's content and name, as the model read them. */
let sent: Message[] = [];

beforeAll(async () => {
  // The model repeats every message it was sent, one per line: each placeholder comes back.
  upstream = await startRawUpstream((raw, res) => {
    sent = (JSON.parse(raw) as { messages: Message[] }).messages;
    const content = sent.map((m) => `${m.name ?? ""}:${m.content ?? ""}`).join("\n");
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ id: "c", object: "chat.completion", created: 1, model: "upstream-gpt", choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }] }));
  });
  gw = await startTestGateway({ modelsYaml: testModelsYaml({ cloudBaseURL: upstream.baseURL, maxRetries: 0 }), files: { "routing.yaml": NO_FALLBACK_ROUTING }, waitForModels: false });
});
afterAll(async () => {
  await gw?.close();
  await upstream?.close();
});

async function echo(messages: Message[], headers: Record<string, string> = {}): Promise<string> {
  const response = await fetch(`${gw.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ model: "fake-gpt", messages }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { choices: [{ message: { content: string } }] }).choices[0].message.content;
}

/** What the echo of `messages` reads when nothing typed is taken for a value. */
const asTyped = (messages: Message[]) => messages.map((m) => `${m.name?.replaceAll("_", " ") ?? ""}:${m.content ?? ""}`).join("\n");

describe("text typed like a placeholder, before the value that placeholder would be given", () => {
  it.each([
    ["in the same text", [{ role: "user", content: "What does <EMAIL_ADDRESS_1> mean? Mine is ann.lee@example.com" }]],
    ["in an earlier message", [{ role: "system", content: "Never print <EMAIL_ADDRESS_1>." }, { role: "user", content: "Mine is ann.lee@example.com" }]],
    ["beside a message name", [{ role: "system", content: "Greet <PERSON_1> warmly." }, { role: "user", name: "John_Smith", content: "hi" }]],
    ["without brackets, beside a message name (whose alias goes out so)", [{ role: "system", content: "Greet PERSON_1 warmly." }, { role: "user", name: "John_Smith", content: "hi" }]],
  ])("%s comes back as typed, and the value as itself", async (_, messages) => {
    expect(await echo(messages)).toBe(asTyped(messages));
    // The typed text and the value did not go out as one placeholder.
    const placeholders = sent.flatMap((m) => `${m.name ?? ""} ${m.content ?? ""}`.match(/<?[A-Z_]+_\d+>?/g) ?? []);
    expect(new Set(placeholders.map((p) => p.replace(/[<>]/g, ""))).size).toBe(placeholders.length);
  });

  it("in an earlier turn of the session comes back as typed when a later turn brings values", async () => {
    const session = { "x-session-id": `typed-before-${Date.now()}` };
    const typed = { role: "user", content: "Reply with <EMAIL_ADDRESS_2> only." };
    expect(await echo([typed], session)).toBe(asTyped([typed]));
    const values = { role: "user", content: "Write to ann.lee@example.com and bob.stone@example.com" };
    const answer = await echo([values], session);
    expect(answer.split("\n")[0]).toBe(asTyped([typed]));
    expect(answer.split("\n").at(-1)).toBe(asTyped([values]));
  });
});
