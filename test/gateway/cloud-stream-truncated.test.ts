/**
 * An upstream stream that sends some chunks and then ends its body cleanly, with no `finish_reason` on
 * any choice and no `data: [DONE]` (an upstream or proxy restart mid-answer), is a failed answer: the
 * client's OpenAI SDK raises the error event it ends with, usage records the upstream failure, and the
 * truncated text is not saved as the session's turn (every later request would send it to the model).
 * Either mark alone still ends an answer: `[DONE]` without a `finish_reason` (some servers), or a
 * `finish_reason` without `[DONE]`.
 */
import type { ServerResponse } from "node:http";
import { randomUUID } from "node:crypto";
import { APIError } from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NO_FALLBACK_ROUTING, startTestGateway, testModelsYaml, type TestGateway } from "../support/gateway.js";
import { startRawUpstream, type RawUpstream } from "../support/raw-upstream.js";
import { apiKeysEnv, usageRecords } from "../support/usage-api.js";

const KEYS = { truncated: "sk-truncated-stream-0123456789" };
const KEY = KEYS.truncated;

const chunk = (content: string, finish: string | null = null) =>
  `data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta: { content }, finish_reason: finish }] })}\n\n`;

/** How the upstream ends its answer, chosen by the last user message. */
const answers: Record<string, (res: ServerResponse) => void> = {
  // The body ends here: no finish_reason, no [DONE].
  truncated: (res) => {
    res.write(chunk("The total due is "));
    res.end(chunk("$1,"));
  },
  "done without finish_reason": (res) => {
    res.write(chunk("The total due "));
    res.end(`${chunk("is $1,200.")}data: [DONE]\n\n`);
  },
  "finish_reason without done": (res) => {
    res.write(chunk("The total due "));
    res.end(chunk("is $1,200.", "stop"));
  },
};

/** The messages of each upstream request, in order. */
const received: Array<Array<{ role: string; content: string }>> = [];
let upstream: RawUpstream;
let gw: TestGateway;

beforeAll(async () => {
  upstream = await startRawUpstream((body, res) => {
    const messages = (JSON.parse(body) as { messages: Array<{ role: string; content: string }> }).messages;
    received.push(messages);
    res.writeHead(200, { "content-type": "text/event-stream" });
    answers[messages.at(-1)!.content]!(res);
  });
  gw = await startTestGateway({
    modelsYaml: testModelsYaml({ cloudBaseURL: upstream.baseURL, maxRetries: 0 }),
    files: { "routing.yaml": NO_FALLBACK_ROUTING },
    env: { SWITCHYARD_API_KEYS: apiKeysEnv(KEYS) },
    waitForModels: false,
  });
});
afterAll(async () => {
  await gw?.close();
  await upstream?.close();
});

/** The answer's text as the client's SDK iterates it, and what the iteration threw. */
async function ask(session: string, content: string): Promise<{ text: string; error: unknown }> {
  const stream = await gw.client({ apiKey: KEY }).chat.completions.create({ model: "gpt-4o", stream: true, messages: [{ role: "user", content }] }, { headers: { "x-session-id": session } });
  let text = "";
  try {
    for await (const part of stream) text += part.choices[0]?.delta.content ?? "";
  } catch (error) {
    return { text, error };
  }
  return { text, error: undefined };
}

/** The usage record of the session's `n`th request, once recorded (the turn is saved before it is). */
async function record(session: string, n: number): Promise<Record<string, string>> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const rows = (await usageRecords(gw.url, KEY, 0)).filter((row) => row.session === session);
    if (rows.length >= n || Date.now() > deadline) return rows[n - 1]!;
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function stored(session: string): Promise<Array<[string, unknown]>> {
  const res = await fetch(`${gw.url}/v1/sessions/${session}`, { headers: { authorization: `Bearer ${KEY}` } });
  if (res.status === 404) return [];
  expect(res.status).toBe(200);
  return ((await res.json()) as { messages: Array<{ role: string; content: unknown }> }).messages.map((m) => [m.role, m.content]);
}

describe("a cloud stream whose body ends mid-answer", () => {
  it("fails with an error the SDK raises, is recorded as an upstream failure, and is not saved to the session", async () => {
    const session = `trunc-${randomUUID()}`;
    const first = await ask(session, "finish_reason without done");
    expect(first).toEqual({ text: "The total due is $1,200.", error: undefined });
    await record(session, 1);

    const { text, error } = await ask(session, "truncated");
    expect(text).toBe("The total due is $1,");
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).message).toContain("the upstream stream ended before the answer finished");
    const failed = await record(session, 2);
    expect({ status: failed.status, error: failed.error }).toEqual({ status: "502", error: "upstream_error" });
    expect(await stored(session)).toEqual([
      ["user", "finish_reason without done"],
      ["assistant", "The total due is $1,200."],
    ]);

    // The next request of the session sends the model the complete turn only.
    await ask(session, "done without finish_reason");
    expect(received.at(-1)).toMatchObject([
      { role: "user", content: "finish_reason without done" },
      { role: "assistant", content: "The total due is $1,200." },
      { role: "user", content: "done without finish_reason" },
    ]);
    expect(received.at(-1)).toHaveLength(3);
  });

  for (const ending of ["done without finish_reason", "finish_reason without done"]) {
    it(`is a complete answer with ${ending}: 200, and saved`, async () => {
      const session = `trunc-${randomUUID()}`;
      expect(await ask(session, ending)).toEqual({ text: "The total due is $1,200.", error: undefined });
      const answered = await record(session, 1);
      expect({ status: answered.status, error: answered.error }).toEqual({ status: "200", error: "" });
      expect(await stored(session)).toEqual([
        ["user", ending],
        ["assistant", "The total due is $1,200."],
      ]);
    });
  }
});
