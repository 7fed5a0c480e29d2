/**
 * A conversation longer than a local model's window is trimmed to fit it, oldest exchanges first, and
 * the answer says how many messages were left out: for a model whose GGUF has a chat template too,
 * where every message costs the template's turn markers, not the plain prompt's `Role:` prefix.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withChatTemplate, type TemplatedModel } from "../support/chat-template-model.js";
import { postJson, startTestGateway, STORIES_MODEL, testModelsYaml, type TestGateway } from "../support/gateway.js";

/** Small, so the model reads a full window's prompt quickly. */
const WINDOW = 512;

function longChat(turns: number) {
  const messages = [{ role: "system", content: "Tell stories." }];
  for (let i = 0; i < turns; i++) messages.push({ role: i % 2 ? "assistant" : "user", content: `The dog ${i} ran to the park.` });
  messages.push({ role: "user", content: "Once upon a time" });
  return messages;
}

describe.each([
  { kind: "a chat template", templated: true, maxTokens: [16, 200] },
  // Unchanged, and cheaper to check once.
  { kind: "no chat template", templated: false, maxTokens: [16] },
])("trimming a long chat for a local model with $kind", ({ templated, maxTokens: cases }) => {
  let model: TemplatedModel | undefined;
  let gw: TestGateway;

  beforeAll(async () => {
    model = templated ? await withChatTemplate(STORIES_MODEL) : undefined;
    const yaml = testModelsYaml({ cloudBaseURL: "http://127.0.0.1:9/v1", localPath: model?.path }).replace("context_window: 2048", `context_window: ${WINDOW}`);
    gw = await startTestGateway({ modelsYaml: yaml });
    expect(gw.logs.some((l) => l.includes('"chatTemplate":' + String(templated)))).toBe(true);
  });
  afterAll(async () => {
    await gw?.close();
    await model?.remove();
  });

  it.each(cases)("answers 200 with the oldest turns dropped, max_tokens %i", async (maxTokens) => {
    const messages = longChat(40);
    const answer = await postJson(gw.url, "/v1/chat/completions", { model: "local", messages, max_tokens: maxTokens, temperature: 0 });
    expect(answer.json.error).toBeUndefined();
    expect(answer.status).toBe(200);
    const dropped = Number(answer.headers.get("x-switchyard-context-dropped"));
    expect(dropped).toBeGreaterThan(0);
    expect(dropped).toBeLessThan(messages.length - 2);
    const usage = answer.json.usage as { prompt_tokens: number; completion_tokens: number };
    expect(usage.prompt_tokens + maxTokens).toBeLessThanOrEqual(WINDOW);
    // Trimmed to fit, not far below: messages over-counted by much would waste the window.
    // Whole exchanges are dropped (a question with its answer, about 50 tokens here), so up to one
    // exchange's room may stay unused besides the reserved framing.
    expect(WINDOW - usage.prompt_tokens - maxTokens).toBeLessThan(135);
  });
});
