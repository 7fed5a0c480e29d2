/**
 * `frequency_penalty` and `presence_penalty` on the in-process model: they reach its sampler (an answer
 * at temperature 0 changes under a strong penalty), and a value outside OpenAI's range (-2 to 2) is a
 * 400 naming the parameter rather than an answer sampled some other way.
 */
import { describe, expect, it } from "vitest";
import { fakeCloudGateway } from "../support/gateway.js";

const cloud = fakeCloudGateway();

interface Answer {
  status: number;
  body: { choices?: { message: { content: string } }[]; error?: { code: string; param: string; message: string } };
}

async function ask(extra: Record<string, unknown> = {}): Promise<Answer> {
  const res = await fetch(`${cloud.gw.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: "local", temperature: 0, max_tokens: 40, messages: [{ role: "user", content: "Once upon a time" }], ...extra }),
  });
  return { status: res.status, body: (await res.json()) as Answer["body"] };
}

describe("repetition penalties on the in-process model", () => {
  it.each([
    ["frequency_penalty", 2],
    ["frequency_penalty", -2],
    ["presence_penalty", 2],
    ["presence_penalty", -2],
  ])("%s %d changes the answer at temperature 0", async (param, value) => {
    const baseline = await ask();
    const penalised = await ask({ [param]: value });
    expect(baseline.status).toBe(200);
    expect(penalised.status).toBe(200);
    expect(penalised.body.choices![0]!.message.content).not.toBe(baseline.body.choices![0]!.message.content);
  });

  it("answers as without them when both are 0 or null", async () => {
    const baseline = await ask();
    expect((await ask({ frequency_penalty: 0, presence_penalty: null })).body.choices![0]!.message.content).toBe(baseline.body.choices![0]!.message.content);
  });

  it.each([
    ["frequency_penalty", 2.5],
    ["presence_penalty", -3],
    ["frequency_penalty", "2"],
  ])("refuses %s %j with a 400 naming it", async (param, value) => {
    const { status, body } = await ask({ [param]: value });
    expect(status).toBe(400);
    expect(body.error).toMatchObject({ param });
    expect(body.error!.message).toContain(param);
  });
});
