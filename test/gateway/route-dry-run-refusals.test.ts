/**
 * `POST /v1/route` predicts what `POST /v1/chat/completions` does with the same body, refusals
 * included: a body the real route refuses before calling a model gets the same status and
 * OpenAI-shaped error from the dry run — or, when the policy denied it, a 200 `route: "deny"` whose
 * last reason names that same status, code and message.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { fakeCloudGateway, postJson, type JsonAnswer } from "../support/gateway.js";

const cloud = fakeCloudGateway();
beforeEach(() => cloud.fake.reset());

const post = (path: string, body: unknown) => postJson(cloud.gw.url, path, body);

/** The real answer and the dry run's, for one body. */
async function both(body: Record<string, unknown>): Promise<{ real: JsonAnswer; dry: JsonAnswer }> {
  const dry = await post("/v1/route", body);
  const real = await post("/v1/chat/completions", { max_tokens: 2, ...body });
  return { real, dry };
}

const user = (content: string) => [{ role: "user", content }];
const TOOLS = [{ type: "function", function: { name: "get_weather", parameters: { type: "object", properties: {} } } }];
const IMAGE = [{ role: "user", content: [{ type: "text", text: "What is this?" }, { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } }] }];
// The shipped pii.yaml blocks SECRET for the cloud; the explicit model pins the cloud route.
const SECRET_TEXT = "Deploy with this key: AKIAIOSFODNN7EXAMPLE and password=hunter2-Tr0ub4dor";

describe("POST /v1/route predicts refusals", { timeout: 60_000 }, () => {
  it.each([
    ["n > 1 (one choice per request)", { model: "auto", messages: user("Hello there, how are you?"), n: 2 }],
    ["n > 1 on an explicit cloud model", { model: "cloud", messages: user("Hello there"), n: 3 }],
    ["a secret sent to a cloud model", { model: "cloud", messages: user(SECRET_TEXT) }],
  ])("%s: the same status and error as the real request", async (_label, body) => {
    const { real, dry } = await both(body);
    expect(real.status).toBeGreaterThanOrEqual(400);
    expect(dry.status).toBe(real.status);
    expect(dry.json).toEqual(real.json);
    expect(cloud.fake.requests).toHaveLength(0);
  });

  it("a secret sent to a cloud model: the dry run's 400 carries the real request's x-switchyard-pii", async () => {
    const { real, dry } = await both({ model: "cloud", messages: user(SECRET_TEXT) });
    expect(real.json.error?.code).toBe("pii_blocked");
    expect(real.headers.get("x-switchyard-pii")).toMatch(/^SECRET=block:\d+/);
    expect(dry.headers.get("x-switchyard-pii")).toBe(real.headers.get("x-switchyard-pii"));
  });

  it.each([
    ["tools to a model that cannot call them", { model: "stories", messages: user("Weather in Paris?"), tools: TOOLS }],
    ["an image to a model without vision", { model: "stories", messages: IMAGE }],
    ["an unknown model", { model: "no-such-model", messages: user("Hello") }],
    ["n > 1 to a model that also cannot call tools", { model: "stories", messages: user("Weather in Paris?"), tools: TOOLS, n: 2 }],
  ])("%s: a deny whose last reason is the real request's error", async (_label, body) => {
    const { real, dry } = await both(body);
    expect(real.status).toBeGreaterThanOrEqual(400);
    expect(dry.status).toBe(200);
    expect(dry.json).toMatchObject({ route: "deny", model: null });
    const reasons = dry.json.reasons as string[];
    const error = real.json.error!;
    expect(reasons.at(-1)).toBe(`denied with ${real.status} ${error.code}: ${error.message}`);
    expect(cloud.fake.requests).toHaveLength(0);
  });

  it("a request the gateway serves is a 200 naming the route it takes", async () => {
    const { real, dry } = await both({ model: "cloud", messages: user("Hello there"), tools: TOOLS });
    expect(real.status).toBe(200);
    expect(dry.status).toBe(200);
    expect(dry.json).toMatchObject({ route: real.headers.get("x-switchyard-route"), model: real.headers.get("x-switchyard-model") });
  });
});
