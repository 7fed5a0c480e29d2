/**
 * Names that travel outside free text, end to end against a fake OpenAI upstream: a schema's property
 * names and the names its `required` lists stay one interface, and a message `name` in the identifier
 * form OpenAI allows never carries a person to the cloud.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { fakeCloudGateway } from "../support/gateway.js";
import { chat, user } from "./support.js";

const cloud = fakeCloudGateway({ gateway: { waitForModels: false } });
beforeEach(() => cloud.fake.reset());

const upstream = () => cloud.fake.requests.at(-1)!.body as Record<string, any>;

describe("a strict schema's property names", () => {
  const cities = {
    type: "object",
    properties: { London: { type: "number" }, Paris: { type: "number" }, Berlin: { type: "number" } },
    required: ["London", "Paris", "Berlin"],
    additionalProperties: false,
  };

  it("reach the upstream with `required` naming the same properties, in tools and response_format", async () => {
    const answer = await chat(cloud.gw.url, {
      model: "fake-gpt",
      messages: [user("Give tomorrow's temperature per city.")],
      tools: [{ type: "function", function: { name: "record", strict: true, parameters: cities } }],
      response_format: { type: "json_schema", json_schema: { name: "forecast", strict: true, schema: cities } },
    });
    expect(answer.status).toBe(200);
    expect(upstream().tools[0].function.parameters).toEqual(cities);
    expect(upstream().response_format.json_schema.schema).toEqual(cities);
  });

  it("holding an email never reach the upstream, and `required` still names the property", async () => {
    const email = "ann.smith@example.com";
    const schema = { type: "object", properties: { [email]: { type: "boolean" } }, required: [email], additionalProperties: false };
    const answer = await chat(cloud.gw.url, {
      model: "fake-gpt",
      messages: [user("hi")],
      response_format: { type: "json_schema", json_schema: { name: "o", strict: true, schema } },
    });
    expect(answer.status).toBe(200);
    expect(cloud.fake.requests.at(-1)!.raw.toString("utf8")).not.toContain(email);
    const sent = upstream().response_format.json_schema.schema;
    expect(sent.required).toEqual(Object.keys(sent.properties));
  });
});

describe("a message name in the identifier form", () => {
  it.each(["John_Smith", "Alice-Sullivan", "JohnSmith"])("%s reaches the upstream as an identifier-safe alias", async (name) => {
    const answer = await chat(cloud.gw.url, { model: "fake-gpt", messages: [{ role: "user", name, content: "hi" }] });
    expect(answer.status).toBe(200);
    expect(answer.headers.get("x-switchyard-pii")).toBe("PERSON=pseudonymize:1");
    expect(upstream().messages[0].name).toMatch(/^PERSON_\d+$/);
    expect(cloud.fake.requests.at(-1)!.raw.toString("utf8")).not.toMatch(/Smith|Sullivan/);
  });
});
