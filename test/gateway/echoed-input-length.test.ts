/**
 * Error messages quote what the client sent (the model name, a field's path) so the client sees what
 * was wrong. They quoted it whole: a 1 MB model name made a 1 MB 404, a 1 MB metadata key a 2 MB 400
 * (in the message and in `param`). A quoted value or path segment over 100 characters is now cut to
 * its first 100 with "…"; shorter ones are quoted exactly as before.
 */
import { describe, expect, it } from "vitest";
import { fakeCloudGateway, postJson } from "../support/gateway.js";

const cloud = fakeCloudGateway();
const user = [{ role: "user", content: "hi" }];

describe("a long client value quoted in an error", () => {
  it("an unknown 1 MB model name: a short 404 quoting its first 100 characters", async () => {
    const model = `${"m".repeat(100)}${"z".repeat(1024 * 1024)}`;
    const answer = await postJson(cloud.gw.url, "/v1/chat/completions", { model, messages: user });
    expect(answer.status).toBe(404);
    expect(answer.json.error).toMatchObject({ code: "model_not_found", param: "model" });
    expect(answer.json.error!.message).toBe(`The model '${"m".repeat(100)}…' does not exist or you do not have access to it.`);
    expect(cloud.fake.requests).toHaveLength(0);
  });

  it("an unknown model in GET /v1/models/{id}: the same short quote", async () => {
    const response = await fetch(`${cloud.gw.url}/v1/models/${"q".repeat(5000)}`);
    expect(response.status).toBe(404);
    const body = (await response.json()) as { error: { message: string } };
    expect(body.error.message).toBe(`The model '${"q".repeat(100)}…' does not exist or you do not have access to it.`);
  });

  it("a 1 MB metadata key: a short 400 whose message and param quote its first 100 characters", async () => {
    const key = "k".repeat(1024 * 1024);
    const answer = await postJson(cloud.gw.url, "/v1/chat/completions", { model: "fake-gpt", messages: user, metadata: { [key]: "v" } });
    expect(answer.status).toBe(400);
    const clipped = `metadata.${"k".repeat(100)}…`;
    expect(answer.json.error!.param).toBe(clipped);
    expect(answer.json.error!.message.startsWith(`Invalid request: ${clipped}: `)).toBe(true);
    expect(answer.json.error!.message.length).toBeLessThan(400);
  });

  it("an unknown 1 MB model name in the dry run: its explanation quotes the first 100 characters", async () => {
    const model = `${"m".repeat(100)}${"z".repeat(1024 * 1024)}`;
    const answer = await postJson(cloud.gw.url, "/v1/route", { model, messages: user });
    expect(JSON.stringify(answer.json).length).toBeLessThan(10_000);
    expect(JSON.stringify(answer.json)).toContain(`${"m".repeat(100)}…`);
  });

  it("short values are quoted whole, as before", async () => {
    const unknown = await postJson(cloud.gw.url, "/v1/chat/completions", { model: "no-such-model", messages: user });
    expect(unknown.json.error!.message).toBe("The model 'no-such-model' does not exist or you do not have access to it.");
    const exactly100 = "x".repeat(100);
    const atLimit = await postJson(cloud.gw.url, "/v1/chat/completions", { model: exactly100, messages: user });
    expect(atLimit.json.error!.message).toBe(`The model '${exactly100}' does not exist or you do not have access to it.`);
    const badMetadata = await postJson(cloud.gw.url, "/v1/chat/completions", { model: "fake-gpt", messages: user, metadata: { topic: 1 } });
    expect(badMetadata.json.error!.param).toBe("metadata.topic");
  });
});
