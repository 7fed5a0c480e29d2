/**
 * A chat body the schema refuses gets a 400 that says what is wrong and where, not zod's bare
 * "Invalid input": an unknown content-part type names the part and the types accepted there, and a
 * `stop` list over OpenAI's limit of 4 says the limit.
 */
import { describe, expect, it } from "vitest";
import { fakeCloudGateway, postJson } from "../support/gateway.js";

const cloud = fakeCloudGateway();

async function refusal(body: Record<string, unknown>) {
  const answer = await postJson(cloud.gw.url, "/v1/chat/completions", { model: "fake-gpt", ...body });
  expect(answer.status).toBe(400);
  expect(answer.json.error).toMatchObject({ type: "invalid_request_error" });
  return answer.json.error!;
}

describe("a refused chat body's 400", () => {
  it("an unknown content-part type names the part's path and the accepted types", async () => {
    const error = await refusal({ messages: [{ role: "user", content: [{ type: "text", text: "see" }, { type: "video_url", video_url: { url: "https://x/v.mp4" } }] }] });
    expect(error.param).toBe("messages[0].content[1].type");
    expect(error.message).toContain("messages[0].content[1].type");
    expect(error.message).toContain("'video_url'");
    for (const accepted of ["'text'", "'image_url'", "'input_audio'", "'file'"]) expect(error.message).toContain(accepted);
    expect(error.message).not.toMatch(/Invalid input\b/);
  });

  it("a content part without a type says it needs one", async () => {
    const error = await refusal({ messages: [{ role: "user", content: [{ text: "hi" }] }] });
    expect(error.param).toBe("messages[0].content[0].type");
    expect(error.message).toContain("needs a type");
  });

  it("an assistant's image part names the types an assistant message takes", async () => {
    const error = await refusal({ messages: [{ role: "user", content: "hi" }, { role: "assistant", content: [{ type: "image_url", image_url: { url: "https://x/i.png" } }] }] });
    expect(error.param).toBe("messages[1].content[0].type");
    expect(error.message).toContain("expected one of 'text', 'refusal'");
  });

  it("stop with 5 entries says the limit of 4", async () => {
    const error = await refusal({ messages: [{ role: "user", content: "hi" }], stop: ["a", "b", "c", "d", "e"] });
    expect(error.param).toBe("stop");
    expect(error.message).toContain("at most 4");
    expect(cloud.fake.requests).toHaveLength(0);
  });

  it("stop of the wrong type says what it may be", async () => {
    const error = await refusal({ messages: [{ role: "user", content: "hi" }], stop: 5 });
    expect(error.param).toBe("stop");
    expect(error.message).toContain("a string or an array of at most 4 strings");
  });

  it("a stop list of 4 is still accepted", async () => {
    const answer = await postJson(cloud.gw.url, "/v1/chat/completions", { model: "fake-gpt", messages: [{ role: "user", content: "hi" }], stop: ["a", "b", "c", "d"] });
    expect(answer.status).toBe(200);
  });
});
