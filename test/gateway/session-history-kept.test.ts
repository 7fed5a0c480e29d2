/**
 * A session's stored history must survive two client patterns the merge and the store once got
 * wrong: a full-history client that had one exchange too large to store (it resends that exchange
 * on every later turn), and a backend that sends only its new turn but repeats a preamble message in
 * front of every question.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai.js";
import { startTestGateway, testModelsYaml, type TestGateway } from "../support/gateway.js";
import { sessionBackends } from "../support/session-chat.js";

type Message = { role: string; content: string };
type Sent = { messages: Message[] };

let fake: FakeOpenAI;
beforeAll(async () => {
  // The fake echoes the last user message: the answer to a large question is as large.
  fake = await startFakeOpenAI({ echo: true });
});
afterAll(async () => {
  await fake?.close();
});

const short = ([role, content]: [string, string]) => [role, content.slice(0, 12)];

describe.each(sessionBackends())("stored history ($backend store)", ({ env }) => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({
      modelsYaml: testModelsYaml({ cloudBaseURL: fake.baseURL, maxRetries: 0 }),
      env: { ...env, SWITCHYARD_CONTEXT_MAX_BYTES: "4000" },
      waitForModels: false,
    });
  });
  afterAll(async () => {
    await gw?.close();
  });

  const chat = async (session: string, messages: Message[]): Promise<string> => {
    const response = await fetch(`${gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-session-id": session },
      body: JSON.stringify({ model: "cloud", messages }),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { choices: Array<{ message: { content: string } }> };
    return body.choices[0]!.message.content;
  };
  const stored = async (session: string) => {
    const response = await fetch(`${gw.url}/v1/sessions/${session}`);
    expect(response.status).toBe(200);
    return ((await response.json()) as Sent).messages.map(({ role, content }) => short([role, content]));
  };
  const lastSent = () => (fake.requests.at(-1)!.body as Sent).messages.map(({ role, content }) => short([role, content]));

  it("keeps the history of a full-history client after an exchange too large to store", async () => {
    const session = `big-${randomUUID()}`;
    const history: Message[] = [];
    const turn = async (text: string) => {
      history.push({ role: "user", content: text });
      history.push({ role: "assistant", content: await chat(session, history) });
    };
    await turn("first small question");
    await turn("second small question");
    await turn(`BIG ${"x".repeat(5000)}`);
    // The precondition: the large exchange was not stored, the history before it was.
    await expect.poll(() => stored(session)).toEqual([
      ["user", "first small "],
      ["assistant", "first small "],
      ["user", "second small"],
      ["assistant", "second small"],
    ]);
    await turn("fourth small question");
    await expect.poll(() => stored(session)).toEqual([
      ["user", "first small "],
      ["assistant", "first small "],
      ["user", "second small"],
      ["assistant", "second small"],
      ["user", "fourth small"],
      ["assistant", "fourth small"],
    ]);
    await turn("fifth small question");
    await expect.poll(() => stored(session)).toHaveLength(8);
    expect((await stored(session)).slice(-2)).toEqual([
      ["user", "fifth small "],
      ["assistant", "fifth small "],
    ]);
    // The client's history reached the model whole, large exchange included.
    expect(lastSent()).toHaveLength(history.length - 1);
  });

  it("appends a new turn that repeats a preamble message before each question", async () => {
    const session = `preamble-${randomUUID()}`;
    const preamble: Message = { role: "user", content: "Context: I am a support agent for ACME." };
    await chat(session, [preamble, { role: "user", content: "How do I reset a password?" }]);
    await chat(session, [{ role: "user", content: "And how do I unlock an account?" }]);
    await chat(session, [preamble, { role: "user", content: "What about 2FA?" }]);
    const earlier = [
      ["user", "Context: I a"],
      ["user", "How do I res"],
      ["assistant", "How do I res"],
      ["user", "And how do I"],
      ["assistant", "And how do I"],
    ];
    // The model saw the whole conversation, and the session kept it.
    expect(lastSent()).toEqual([...earlier, ["user", "Context: I a"], ["user", "What about 2"]]);
    await expect.poll(() => stored(session)).toEqual([...earlier, ["user", "Context: I a"], ["user", "What about 2"], ["assistant", "What about 2"]]);
  });
});
