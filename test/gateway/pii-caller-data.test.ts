/**
 * Caller data on its way to a cloud model: extension fields the gateway does not know, tool-call
 * arguments and tool schemas. What the fake upstream receives is what left the host.
 */
import { describe, expect, it } from "vitest";
import { fakeCloudGateway, NO_FALLBACK_ROUTING, postJson } from "../support/gateway.js";

const EMAIL = "maria.gonzalez@example.com";

// The answer repeats the last user message as the cloud saw it: placeholders the gateway must restore.
const cloud = fakeCloudGateway({ fake: { echo: true }, models: { maxRetries: 2 }, gateway: { files: { "routing.yaml": NO_FALLBACK_ROUTING }, waitForModels: false } });

/** The body the cloud received for `body`, after checking the gateway answered. */
async function sentUpstream(body: Record<string, unknown>): Promise<{ raw: string; json: Record<string, any>; answer: string }> {
  cloud.fake.reset();
  const answer = await postJson(cloud.gw.url, "/v1/chat/completions", { model: "fake-gpt", ...body });
  expect(answer.status).toBe(200);
  expect(cloud.fake.requests).toHaveLength(1);
  const raw = cloud.fake.requests[0]!.raw.toString("utf8");
  return { raw, json: JSON.parse(raw), answer: (answer.json as any).choices[0].message.content };
}

const CARD = "4111111111111111";
/** A 19-digit card: beyond 2^53, so JSON.parse reads back another number than the one written. */
const LONG_CARD = "6221260000000000001";

/** The history of a call the model made, with `args` as its JSON arguments text. */
const callHistory = (args: string, last = "thanks") => [
  { role: "user", content: "Pay with my saved card" },
  { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "charge_card", arguments: args } }] },
  { role: "tool", tool_call_id: "call_1", content: "declined" },
  { role: "user", content: last },
];
const sentArguments = (json: Record<string, any>) => JSON.parse(json.messages[1].tool_calls[0].function.arguments);

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

describe("numbers in caller data", () => {
  it("are scanned in tool-call arguments, and a card number goes out as its placeholder and comes back restored", async () => {
    const { raw, json, answer } = await sentUpstream({ messages: callHistory(`{"card_number": ${CARD}, "amount": 12.5}`, `Try ${CARD} again`) });
    expect(raw).not.toContain(CARD);
    expect(sentArguments(json)).toEqual({ card_number: "<CREDIT_CARD_1>", amount: 12.5 });
    expect(json.messages[3].content).toBe("Try <CREDIT_CARD_1> again");
    expect(answer).toBe(`Try ${CARD} again`);
  });

  it("are scanned as the client wrote them when JSON cannot hold them exactly", async () => {
    const { raw, json } = await sentUpstream({ messages: callHistory(`{"card_number": ${LONG_CARD}}`) });
    expect(raw).not.toContain(LONG_CARD);
    expect(sentArguments(json)).toEqual({ card_number: "<CREDIT_CARD_1>" });
  });

  it("are scanned in tool schemas and in fields the gateway does not know", async () => {
    const { raw, json } = await sentUpstream({
      messages: [{ role: "user", content: "hello" }],
      customer: { card: Number(CARD), visits: 3 },
      tools: [{ type: "function", function: { name: "pay", parameters: { type: "object", properties: { card: { type: "integer", default: Number(CARD), minimum: 0 } } } } }],
      temperature: 0.2,
    });
    expect(raw).not.toContain(CARD);
    expect(json.customer).toEqual({ card: "<CREDIT_CARD_1>", visits: 3 });
    expect(json.tools[0].function.parameters.properties.card).toEqual({ type: "integer", default: "<CREDIT_CARD_1>", minimum: 0 });
    expect(json.temperature).toBe(0.2);
  });
});

describe("values of caller data read with their keys", () => {
  const PATIENT = { first_name: "Maria", last_name: "Gonzalez", dob: "1985-03-12", ssn: "536224187", phone: 14155550132, visits: 3 };
  const placeholder = (type: string) => expect.stringMatching(new RegExp(`^<${type}_\\d+>$`));

  it("find names, birth dates and bare SSNs and phone numbers that say nothing alone, and restore them", async () => {
    const { raw, json, answer } = await sentUpstream({ messages: callHistory(JSON.stringify(PATIENT), "Is my ssn 536224187 on file?") });
    for (const value of ["Maria", "Gonzalez", "1985-03-12", "536224187", "14155550132"]) expect(raw).not.toContain(value);
    expect(sentArguments(json)).toEqual({
      first_name: placeholder("PERSON"),
      last_name: placeholder("PERSON"),
      dob: placeholder("DATE_TIME"),
      ssn: placeholder("US_SSN"),
      phone: placeholder("PHONE_NUMBER"),
      visits: 3,
    });
    // The same value gets the same placeholder wherever it travels, and the answer restores it.
    expect(json.messages[3].content).toBe(`Is my ssn ${sentArguments(json).ssn} on file?`);
    expect(answer).toBe("Is my ssn 536224187 on file?");
  });

  it("read the key in unknown fields and metadata too, and never take away what the value alone shows", async () => {
    const { raw, json } = await sentUpstream({
      messages: [{ role: "user", content: "hello" }],
      metadata: { ssn: "536224187" },
      patient: { name: { first_name: "Maria" }, dateOfBirth: "1985-03-12", ssn_history: ["536224188"], order_id: "+1 415-555-0132" },
    });
    for (const value of ["Maria", "536224187", "1985-03-12", "536224188", "415-555-0132"]) expect(raw).not.toContain(value);
    expect(json.metadata).toEqual({ ssn: placeholder("US_SSN") });
    expect(json.patient).toEqual({
      name: { first_name: placeholder("PERSON") },
      dateOfBirth: placeholder("DATE_TIME"),
      ssn_history: [placeholder("US_SSN")],
      order_id: placeholder("PHONE_NUMBER"),
    });
  });
});

describe("a tool's result that is a JSON record", () => {
  it("is read field by field, so values found only through their keys do not leave the host", async () => {
    const record = { first_name: "Maria", last_name: "Gonzalez", dob: "1985-03-12", ssn: "536224187", status: "active" };
    const { raw, json } = await sentUpstream({
      messages: [
        { role: "user", content: "Look up the customer" },
        { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "lookup", arguments: "{}" } }] },
        { role: "tool", tool_call_id: "call_1", content: JSON.stringify(record, null, 2) },
        { role: "user", content: "Summarise it" },
      ],
    });
    for (const value of ["Maria", "Gonzalez", "1985-03-12", "536224187"]) expect(raw).not.toContain(value);
    // Still a JSON record for the model, with the fields that hold no personal data as they were.
    expect(JSON.parse(json.messages[2].content)).toMatchObject({ status: "active" });
  });

  it("keeps a tool result that is plain text scanned as text", async () => {
    const { json } = await sentUpstream({
      messages: [
        { role: "user", content: "Send it" },
        { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "send", arguments: "{}" } }] },
        { role: "tool", tool_call_id: "call_1", content: `sent to ${EMAIL} [ok]` },
        { role: "user", content: "thanks" },
      ],
    });
    expect(json.messages[2].content).toBe("sent to <EMAIL_ADDRESS_1> [ok]");
  });
});
