/**
 * A streamed answer is complete once its `finish_reason` has reached the client (README: either a
 * finish_reason or `[DONE]` ends an answer). A client that stops reading there — a common loop
 * `if (chunk.choices[0]?.finish_reason) break;`, while the upstream has yet to send the usage chunk
 * `stream_options.include_usage` asks for — has the whole answer, so the session keeps the exchange:
 * its next turn, sent alone, continues it — also when sent the moment the finish_reason is read: the
 * save is sent before the finish_reason goes out. A client that leaves before the finish_reason has
 * only part of an answer, and nothing of that turn is stored. Memory and Redis.
 */
import { randomUUID } from "node:crypto";
import type { ServerResponse } from "node:http";
import { describe, expect, it } from "vitest";
import { testModelsYaml, upstreamGateway } from "../support/gateway.js";
import { chunkFrame, startRawUpstream } from "../support/raw-upstream.js";
import { sessionBackends } from "../support/session-chat.js";

const BASE = { id: "chatcmpl-finish", created: 1_700_000_000, model: "upstream-gpt" };
const ANSWER = "The whole answer.";

/**
 * An upstream that streams the answer and its finish chunk, and then nothing (an upstream still
 * counting the usage); asked for `everything`, it streams part of the answer and nothing after it.
 */
function finishThenHold() {
  const received: { messages: { role: string; content: string }[] }[] = [];
  const start = () =>
    startRawUpstream((raw, res: ServerResponse) => {
      const body = JSON.parse(raw) as { stream?: boolean; messages: { role: string; content: string }[] };
      received.push(body);
      if (!body.stream) {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ ...BASE, object: "chat.completion", choices: [{ index: 0, message: { role: "assistant", content: ANSWER }, finish_reason: "stop" }], usage: { prompt_tokens: 5, completion_tokens: 4, total_tokens: 9 } }));
        return;
      }
      res.writeHead(200, { "content-type": "text/event-stream" });
      const partial = body.messages.at(-1)!.content.includes("everything");
      res.write(chunkFrame(BASE, { role: "assistant", content: partial ? "The first part" : ANSWER }, null));
      if (!partial) res.write(chunkFrame(BASE, {}, "stop"));
    });
  return { received, start };
}

describe.each(sessionBackends())("a client that stops reading a stream ($backend store)", ({ env }) => {
  const upstream = finishThenHold();
  const cloud = upstreamGateway(upstream.start, {
    modelsYaml: (u) => testModelsYaml({ cloudBaseURL: u.baseURL, maxRetries: 0 }),
    gateway: { env, waitForModels: false },
  });

  const stored = async (session: string) => {
    const response = await fetch(`${cloud.gw.url}/v1/sessions/${session}`);
    if (response.status === 404) return [];
    const { messages } = (await response.json()) as { messages: { role: string; content: string }[] };
    return messages.map(({ role, content }) => [role, content]);
  };

  it("once the answer's finish_reason has reached it keeps the exchange, and the next turn continues it", async () => {
    const session = `finish-${randomUUID()}`;
    const client = cloud.gw.client();
    const stream = await client.chat.completions.create(
      { model: "cloud", stream: true, stream_options: { include_usage: true }, messages: [{ role: "user", content: "What is the plan?" }] },
      { headers: { "x-session-id": session } },
    );
    let text = "";
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? "";
      if (chunk.choices[0]?.finish_reason) break;
    }
    expect(text).toBe(ANSWER);
    await expect.poll(() => stored(session), { timeout: 5_000 }).toEqual([
      ["user", "What is the plan?"],
      ["assistant", ANSWER],
    ]);

    await client.chat.completions.create({ model: "cloud", messages: [{ role: "user", content: "And after that?" }] }, { headers: { "x-session-id": session } });
    expect(upstream.received.at(-1)!.messages.map(({ role, content }) => [role, content])).toEqual([
      ["user", "What is the plan?"],
      ["assistant", ANSWER],
      ["user", "And after that?"],
    ]);
  });

  it("and sends its next turn at once has that turn continue the exchange, as after a completion", async () => {
    const session = `next-at-once-${randomUUID()}`;
    const client = cloud.gw.client();
    for (const question of ["First?", "Second?", "Third?"]) {
      const stream = await client.chat.completions.create({ model: "cloud", stream: true, messages: [{ role: "user", content: question }] }, { headers: { "x-session-id": session } });
      for await (const chunk of stream) if (chunk.choices[0]?.finish_reason) break;
    }
    expect(upstream.received.at(-1)!.messages.map(({ role, content }) => [role, content])).toEqual([
      ["user", "First?"],
      ["assistant", ANSWER],
      ["user", "Second?"],
      ["assistant", ANSWER],
      ["user", "Third?"],
    ]);
  });

  it("before the finish_reason stores nothing of that turn", async () => {
    const session = `partial-${randomUUID()}`;
    const client = cloud.gw.client();
    const stream = await client.chat.completions.create(
      { model: "cloud", stream: true, messages: [{ role: "user", content: "Tell me everything." }] },
      { headers: { "x-session-id": session } },
    );
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta?.content) break;
    }
    // Then a turn that is answered whole: stored after the one the client left.
    await client.chat.completions.create({ model: "cloud", messages: [{ role: "user", content: "Short version?" }] }, { headers: { "x-session-id": session } });
    expect(upstream.received.at(-1)!.messages.map(({ role, content }) => [role, content])).toEqual([["user", "Short version?"]]);
    await expect.poll(() => stored(session)).toEqual([
      ["user", "Short version?"],
      ["assistant", ANSWER],
    ]);
  });
});
