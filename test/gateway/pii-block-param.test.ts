/**
 * A request the PII policy blocks names, in the error's `param`, the request field that holds what
 * was blocked, as OpenAI's errors name the parameter at fault: a backend team whose request carries a
 * token in `metadata` or a tool description looks there, not through its messages. A field the
 * gateway does not know is not named (its name is the client's text, and may itself be the secret).
 */
import OpenAI, { BadRequestError } from "openai";
import { describe, expect, it } from "vitest";
import { fakeCloudGateway } from "../support/gateway.js";

const TOKEN = "sk-proj-abcdefghijklmnopqrstuvwxyz0123456789ABCD";
const TOOL = (description: string) => ({ type: "function" as const, function: { name: "lookup", description, parameters: { type: "object", properties: {} } } });

const cloud = fakeCloudGateway({ gateway: { waitForModels: false } });

/** The refusal the OpenAI client raises for `body`. */
async function refusal(body: Record<string, unknown>): Promise<BadRequestError> {
  const error = await cloud.gw
    .client()
    .chat.completions.create({ model: "cloud", ...body } as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming)
    .catch((e: unknown) => e);
  expect(error).toBeInstanceOf(BadRequestError);
  expect((error as BadRequestError).code).toBe("pii_blocked");
  return error as BadRequestError;
}

describe("a blocked request's error names the field that holds the blocked data", () => {
  const hi = [{ role: "user", content: "hi" }];

  it.each([
    ["messages[0]", { messages: [{ role: "user", content: `my key is ${TOKEN}` }] }],
    ["messages[1]", { messages: [{ role: "system", content: "Be brief." }, { role: "user", content: `my key is ${TOKEN}` }] }],
    ["metadata", { messages: hi, metadata: { deploy_key: TOKEN } }],
    ["user", { messages: hi, user: TOKEN }],
    ["tools", { messages: hi, tools: [TOOL(`Call with key ${TOKEN}`)] }],
  ])("%s", async (field, body) => {
    expect((await refusal(body)).param).toBe(field);
    expect(cloud.fake.requests).toHaveLength(0);
  });

  it("the first such field, when several hold some", async () => {
    expect((await refusal({ messages: hi, tools: [TOOL(`key ${TOKEN}`)], metadata: { k: TOKEN } })).param).toBe("tools");
  });

  it("no field, when the data is in a field the gateway does not know", async () => {
    expect((await refusal({ messages: hi, extension: { token: TOKEN } })).param).toBeNull();
    expect((await refusal({ messages: hi, [TOKEN]: true })).param).toBeNull();
  });
});
