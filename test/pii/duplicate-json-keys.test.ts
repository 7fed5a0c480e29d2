/**
 * What a reviewer saw reach the cloud: a tool result `{"name":"x","ssn":"536-22-4187","ssn":"***"}`
 * went out with the SSN, and tool-call arguments `{"to":"ann.lee@example.com","to":"team"}` with the
 * address. JSON.parse keeps the last of two identical keys, so the earlier value was never scanned,
 * while unchanged JSON was sent as the client wrote it. Such JSON now goes out re-serialised from what
 * was scanned: the last value of each key, as JSON readers take it.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { ChatCompletionRequest } from "../../src/api/chat-request.js";
import { createPiiEngine, createSanitizer, PseudonymVault, type Sanitizer } from "../../src/pii/index.js";
import { hasDuplicateKeys } from "../../src/pii/json-duplicate-keys.js";
import { fakeCloudGateway, NO_FALLBACK_ROUTING, postJson } from "../support/gateway.js";
import { patientPolicy } from "./support.js";

const SSN = "536-22-4187";
const EMAIL = "ann.lee@example.com";
const TOOL_RESULT = `{"name":"x","ssn":"${SSN}","ssn":"***"}`;
const ARGUMENTS = `{"to":"${EMAIL}","to":"team"}`;

/** A conversation in which a call to `send` with `args` returned `result`. */
const withCall = (args: string, result: string) => [
  { role: "user", content: "Look the customer up and mail the team" },
  { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "send", arguments: args } }] },
  { role: "tool", tool_call_id: "call_1", content: result },
  { role: "user", content: "thanks" },
];

describe("a JSON key named twice, through the gateway", () => {
  const cloud = fakeCloudGateway({ fake: { echo: true }, gateway: { files: { "routing.yaml": NO_FALLBACK_ROUTING }, waitForModels: false } });

  it("sends neither the hidden SSN of a tool result nor the hidden address of tool-call arguments", async () => {
    cloud.fake.reset();
    const answer = await postJson(cloud.gw.url, "/v1/chat/completions", { model: "fake-gpt", messages: withCall(ARGUMENTS, TOOL_RESULT) });
    expect(answer.status).toBe(200);
    const raw = cloud.fake.requests[0]!.raw.toString("utf8");
    expect(raw).not.toContain(SSN);
    expect(raw).not.toContain(EMAIL);
    const sent = JSON.parse(raw);
    expect(sent.messages[1].tool_calls[0].function.arguments).toBe('{"to":"team"}');
    expect(sent.messages[2].content).toBe('{"name":"x","ssn":"***"}');
  });
});

describe("a JSON key named twice (sanitizer)", () => {
  let sanitizer: Sanitizer;
  beforeAll(() => {
    const policy = patientPolicy();
    sanitizer = createSanitizer({ policy, engine: createPiiEngine(policy), env: {} });
  });

  function cloudMessages(args: string, result: string): any[] {
    const request = { model: "gpt-4o-mini", messages: withCall(args, result) } as ChatCompletionRequest;
    const outcome = sanitizer.sanitizeForCloud(request, { vault: new PseudonymVault(), tenant: "acme" });
    if (outcome.kind !== "cloud") throw new Error(`expected a cloud request, got ${outcome.kind}`);
    return outcome.request.messages as any[];
  }

  it("goes out re-serialised with the last value of each key", () => {
    const messages = cloudMessages(ARGUMENTS, TOOL_RESULT);
    expect(messages[1].tool_calls[0].function.arguments).toBe('{"to":"team"}');
    expect(messages[2].content).toBe('{"name":"x","ssn":"***"}');
  });

  it("is found when the last value holds the personal data", () => {
    const messages = cloudMessages(`{"to":"team","to":"${EMAIL}"}`, `{"ssn":"***","ssn":"${SSN}"}`);
    expect(messages[1].tool_calls[0].function.arguments).toBe('{"to":"<EMAIL_ADDRESS_1>"}');
    expect(messages[2].content).toBe('{"ssn":"<US_SSN_1>"}');
  });

  it("is found in a nested object and when written with an escape", () => {
    const messages = cloudMessages(`{"mail":{"to":"${EMAIL}","to":"team"}}`, `{"ssn":"${SSN}","\\u0073sn":"***"}`);
    expect(messages[1].tool_calls[0].function.arguments).toBe('{"mail":{"to":"team"}}');
    expect(messages[2].content).toBe('{"ssn":"***"}');
  });

  it("leaves JSON without repeated keys as the client wrote it", () => {
    const args = '{ "to": "team",  "cc": ["ops"] }';
    const result = '[{"name": "a", "n": 1}, {"name": "b", "n": 2}]';
    const messages = cloudMessages(args, result);
    expect(messages[1].tool_calls[0].function.arguments).toBe(args);
    expect(messages[2].content).toBe(result);
  });
});

describe("hasDuplicateKeys", () => {
  it.each([
    ['{"a":1,"a":2}', true],
    ['{"a":{"b":1,"b":2}}', true],
    ['[{"a":1},{"a":{"x":1,"x":1}}]', true],
    ['{"a":1,"\\u0061":2}', true],
    ['{"a" : 1, "a" : 2}', true],
    ['[{"a":1},{"a":2}]', false],
    ['{"a":"b\\":c","d":"\\"a\\": 1"}', false],
    ['{"a":"x","b":{"a":"y"}}', false],
    ["[]", false],
  ])("%s: %s", (json, expected) => {
    expect(hasDuplicateKeys(json, JSON.parse(json))).toBe(expected);
  });
});
