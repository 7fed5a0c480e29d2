/**
 * Text the client typed is never taken for one of the gateway's placeholders. A session's vault holds
 * `<EMAIL_ADDRESS_1>` for a real address; the client then asks about the literal text
 * "<EMAIL_ADDRESS_1>". It reaches the cloud under a placeholder of its own, so the model's echo comes
 * back as the client typed it, and the stored turns read back (GET, and the next request's history)
 * exactly as sent and received — with `context_storage: raw` and `sanitized`, on both stores.
 */
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai.js";
import { SHIPPED_POLICIES, startTestGateway, testModelsYaml, type TestGateway } from "../support/gateway.js";
import { sessionBackends } from "../support/session-chat.js";

const EMAIL = "john.smith@example.com";
const TYPED = "What does <EMAIL_ADDRESS_1> mean?";

let fake: FakeOpenAI;
let shipped: string;
beforeAll(async () => {
  fake = await startFakeOpenAI({ echo: true });
  shipped = (await readFile(join(SHIPPED_POLICIES, "pii.yaml"), "utf8")).replace(/^( {2}budget_ms:) \d+/m, "$1 5000");
});
afterAll(async () => {
  await fake?.close();
});

const cases = sessionBackends().flatMap((b) => (["raw", "sanitized"] as const).map((storage) => ({ ...b, storage })));

describe.each(cases)("a typed placeholder in a session ($backend store, context_storage: $storage)", ({ env, storage }) => {
  let gw: TestGateway;
  beforeAll(async () => {
    const pii = shipped.replace(/^context_storage: raw/m, `context_storage: ${storage}`);
    gw = await startTestGateway({ modelsYaml: testModelsYaml({ cloudBaseURL: fake.baseURL }), files: { "pii.yaml": pii }, env, waitForModels: false });
  });
  afterAll(async () => {
    await gw?.close();
  });

  const chat = async (session: string, content: string) => {
    const response = await fetch(`${gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-session-id": session },
      body: JSON.stringify({ model: "cloud", messages: [{ role: "user", content }] }),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { choices: { message: { content: string } }[] };
    const sent = fake.requests.at(-1)!.body as { messages: { role: string; content: string }[] };
    return { answer: body.choices[0]!.message.content, upstream: sent.messages.map((m) => m.content) };
  };

  it("answers, stores and reads back the typed text as typed, never as the vault's value", async () => {
    const session = `typed-${randomUUID()}`;
    const first = await chat(session, `My email is ${EMAIL}`);
    expect(first.upstream).toEqual(["My email is <EMAIL_ADDRESS_1>"]);
    // The save is not awaited by the answer: wait until the first turn (and its vault) is stored.
    await expect.poll(async () => ((await (await fetch(`${gw.url}/v1/sessions/${session}`)).json()) as { messages?: unknown[] }).messages?.length).toBe(2);

    const second = await chat(session, TYPED);
    // The cloud never gets the typed text as the real address's placeholder, so its echo is not "restored".
    expect(second.upstream.at(-1)).not.toContain("<EMAIL_ADDRESS_1>");
    expect(second.upstream.at(-1)).not.toContain(EMAIL);
    expect(second.answer).toBe(TYPED);

    const read = await fetch(`${gw.url}/v1/sessions/${session}`);
    expect(read.status).toBe(200);
    const { messages } = (await read.json()) as { messages: { role: string; content: string }[] };
    expect(messages.map((m) => m.content)).toEqual([`My email is ${EMAIL}`, `My email is ${EMAIL}`, TYPED, TYPED]);

    // The next request's history: the typed text still stands apart from the address.
    const third = await chat(session, "thanks");
    expect(third.upstream).toHaveLength(5);
    expect(third.upstream.slice(0, 2)).toEqual(["My email is <EMAIL_ADDRESS_1>", "My email is <EMAIL_ADDRESS_1>"]);
    for (const turn of third.upstream.slice(2, 4)) {
      expect(turn).not.toContain("<EMAIL_ADDRESS_1>");
      expect(turn).not.toContain(EMAIL);
    }
    expect(third.answer).toBe("thanks");
  });
});
