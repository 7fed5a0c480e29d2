/**
 * Caller data on its way to a cloud model: extension fields the gateway does not know, tool-call
 * arguments and tool schemas. What the fake upstream receives is what left the host.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai.js";
import { NO_FALLBACK_ROUTING, postJson, startTestGateway, testModelsYaml, type TestGateway } from "../support/gateway.js";

const EMAIL = "maria.gonzalez@example.com";

let fake: FakeOpenAI;
let gw: TestGateway;
beforeAll(async () => {
  fake = await startFakeOpenAI();
  gw = await startTestGateway({ modelsYaml: testModelsYaml({ cloudBaseURL: fake.baseURL }), files: { "routing.yaml": NO_FALLBACK_ROUTING }, waitForModels: false });
});
afterAll(async () => {
  await gw?.close();
  await fake?.close();
});

/** The body the cloud received for `body`, after checking the gateway answered. */
async function sentUpstream(body: Record<string, unknown>): Promise<{ raw: string; json: Record<string, any> }> {
  fake.reset();
  const answer = await postJson(gw.url, "/v1/chat/completions", { model: "fake-gpt", ...body });
  expect(answer.status).toBe(200);
  expect(fake.requests).toHaveLength(1);
  const raw = fake.requests[0]!.raw.toString("utf8");
  return { raw, json: JSON.parse(raw) };
}

describe("fields the gateway does not know", () => {
  it("are scanned whatever their keys are called, including keys that are structure elsewhere", async () => {
    const { raw, json } = await sentUpstream({
      messages: [{ role: "user", content: "hi" }],
      end_user: { id: EMAIL },
      extra: { data: "SSN 536-22-4187" },
      extra_thing: { type: EMAIL, model: EMAIL, format: EMAIL, detail: EMAIL, file_id: EMAIL },
    });
    expect(raw).not.toContain(EMAIL);
    expect(raw).not.toContain("536-22-4187");
    expect(json.end_user).toEqual({ id: "<EMAIL_ADDRESS_1>" });
    expect(json.extra).toEqual({ data: "SSN <US_SSN_1>" });
    expect(json.extra_thing).toEqual({ type: "<EMAIL_ADDRESS_1>", model: "<EMAIL_ADDRESS_1>", format: "<EMAIL_ADDRESS_1>", detail: "<EMAIL_ADDRESS_1>", file_id: "<EMAIL_ADDRESS_1>" });
  });

  it("are scanned inside known objects too, while the structure at its known places is kept", async () => {
    const { raw, json } = await sentUpstream({
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "see", cache_control: { type: EMAIL } },
            { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=", detail: "low" } },
          ],
        },
        { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "lookup", arguments: "{}" }, meta: { id: EMAIL } }] },
        { role: "tool", tool_call_id: "call_1", content: "ok" },
      ],
      tools: [{ type: "function", function: { name: "lookup", parameters: { type: "object" } }, extra: { model: EMAIL } }],
      tool_choice: { type: "function", function: { name: "lookup" } },
    });
    expect(raw).not.toContain(EMAIL);
    expect(json.model).toBe("upstream-gpt");
    expect(json.messages[0].content).toEqual([
      { type: "text", text: "see", cache_control: { type: "<EMAIL_ADDRESS_1>" } },
      { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=", detail: "low" } },
    ]);
    expect(json.messages[1].tool_calls).toEqual([
      { id: "call_1", type: "function", function: { name: "lookup", arguments: "{}" }, meta: { id: "<EMAIL_ADDRESS_1>" } },
    ]);
    expect(json.messages[2]).toEqual({ role: "tool", tool_call_id: "call_1", content: "ok" });
    expect(json.tools).toEqual([{ type: "function", function: { name: "lookup", parameters: { type: "object" } }, extra: { model: "<EMAIL_ADDRESS_1>" } }]);
    expect(json.tool_choice).toEqual({ type: "function", function: { name: "lookup" } });
  });
});
