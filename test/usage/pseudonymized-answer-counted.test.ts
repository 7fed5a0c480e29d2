/**
 * A request sent to the cloud with its personal data replaced by placeholders is billed by the
 * upstream for what it received and wrote: placeholders, not the values. When the gateway counts an
 * answer itself (the upstream sent no usage, or the client left mid-stream), the prompt was counted as
 * sent, but the answer as the client got it, with the values restored: an answer quoting ten e-mail
 * addresses was counted at their length, several times what the upstream wrote. The answer is now
 * counted as the model wrote it.
 */
import { describe, expect, it } from "vitest";
import { estimateTokens } from "../../src/api/token-estimate.js";
import { NO_FALLBACK_ROUTING, testModelsYaml, upstreamGateway } from "../support/gateway.js";
import { chunkFrame, startRawUpstream } from "../support/raw-upstream.js";
import { apiKeysEnv, usageRecords } from "../support/usage-api.js";

const KEYS = { whole: "sk-pseudo-whole-0123456789", stream: "sk-pseudo-stream-0123456789" };
const BASE = { id: "chatcmpl-echo", created: 1_700_000_000, model: "upstream-gpt" };
const EMAILS = Array.from({ length: 10 }, (_, i) => `firstname.lastname.number${i}@subsidiary-company-example.com`).join(", ");

/** The answers the upstream wrote: the request's last message as it arrived, placeholders and all. */
const written: string[] = [];

const cloud = upstreamGateway(
  () =>
    startRawUpstream((raw, res) => {
      const sent = JSON.parse(raw) as { stream?: boolean; messages: Array<{ content: string }> };
      const answer = `You wrote: ${sent.messages.at(-1)!.content}`;
      written.push(answer);
      if (!sent.stream) {
        res.writeHead(200, { "content-type": "application/json" });
        const message = { role: "assistant", content: answer, refusal: null };
        return res.end(JSON.stringify({ ...BASE, object: "chat.completion", choices: [{ index: 0, message, finish_reason: "stop", logprobs: null }] }));
      }
      res.writeHead(200, { "content-type": "text/event-stream" });
      for (const piece of answer.match(/.{1,7}/gs)!) res.write(chunkFrame(BASE, { content: piece }, null));
      res.write(chunkFrame(BASE, {}, "stop"));
      res.end("data: [DONE]\n\n");
    }),
  {
    modelsYaml: (raw) => testModelsYaml({ cloudBaseURL: raw.baseURL, maxRetries: 0 }),
    gateway: { files: { "routing.yaml": NO_FALLBACK_ROUTING }, env: { SWITCHYARD_API_KEYS: apiKeysEnv(KEYS) }, waitForModels: false },
  },
);

const ask = { model: "fake-gpt", messages: [{ role: "user" as const, content: `Please repeat these addresses: ${EMAILS}` }] };

describe("an answer whose personal data the gateway restored, counted by the gateway", () => {
  it("counts a whole answer as the model wrote it, placeholders and all", async () => {
    const completion = await cloud.gw.client({ apiKey: KEYS.whole }).chat.completions.create(ask);
    // The client gets the values back; the upstream wrote placeholders.
    expect(completion.choices[0]?.message.content).toContain(EMAILS);
    expect(written.at(-1)).not.toContain("@");
    const [record] = await usageRecords(cloud.gw.url, KEYS.whole, 1);
    expect(Number(record!.completion_tokens)).toBe(estimateTokens(written.at(-1)!));
  });

  it("counts a streamed answer as the model wrote it, in the client's usage chunk and the record alike", async () => {
    const stream = await cloud.gw.client({ apiKey: KEYS.stream }).chat.completions.create({ ...ask, stream: true, stream_options: { include_usage: true } });
    let text = "";
    let usage: { completion_tokens: number } | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? "";
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toContain(EMAILS);
    expect(usage!.completion_tokens).toBe(estimateTokens(written.at(-1)!));
    const [record] = await usageRecords(cloud.gw.url, KEYS.stream, 1);
    expect(Number(record!.completion_tokens)).toBe(usage!.completion_tokens);
  });
});
