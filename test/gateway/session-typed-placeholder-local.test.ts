/**
 * A model on the host gets the conversation in clear (the default local PII policy allows
 * everything), so nothing in its request is a placeholder the gateway made. Its answer must come back
 * as the model wrote it: text the client typed like one of the session's placeholders, echoed by the
 * model, is not turned into the real value the session's vault holds for it.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai.js";
import { startTestGateway, testModelsYaml, type TestGateway } from "../support/gateway.js";

const EMAIL = "john.smith@example.com";

let onHost: FakeOpenAI;
let cloud: FakeOpenAI;
let gw: TestGateway;
beforeAll(async () => {
  onHost = await startFakeOpenAI({ echo: true });
  cloud = await startFakeOpenAI({ echo: true });
  // An on-host llama.cpp server (location: local) that echoes the question.
  const models = testModelsYaml({ cloudBaseURL: cloud.baseURL, maxRetries: 0 })
    .replace(
      "models:\n",
      `  on-host:\n    type: openai_compatible\n    location: local\n    base_url: ${onHost.baseURL}\n    max_retries: 0\nmodels:\n  echo-local:\n    provider: on-host\n    context_window: 8192\n    capabilities: { tools: false, json_schema: false, vision: false }\n`,
    );
  gw = await startTestGateway({ modelsYaml: models, waitForModels: false });
});
afterAll(async () => {
  await gw?.close();
  await onHost?.close();
  await cloud?.close();
});

async function chat(session: string, model: string, content: string): Promise<string> {
  const response = await fetch(`${gw.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-session-id": session },
    body: JSON.stringify({ model, messages: [{ role: "user", content }] }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { choices: { message: { content: string } }[] }).choices[0]!.message.content;
}

describe("a typed placeholder answered on the host", { timeout: 60_000 }, () => {
  it("comes back as typed, not as the session's real value", async () => {
    const session = `typed-local-${randomUUID()}`;
    // The cloud turn puts the address in the session's vault as <EMAIL_ADDRESS_1>.
    expect(await chat(session, "fake-gpt", `My email is ${EMAIL}`)).toBe(`My email is ${EMAIL}`);
    expect(cloud.requests.at(-1)?.raw).not.toContain(EMAIL);
    await expect.poll(async () => ((await (await fetch(`${gw.url}/v1/sessions/${session}`)).json()) as { messages?: unknown[] }).messages?.length).toBe(2);

    const typed = "What does <EMAIL_ADDRESS_1> mean?";
    expect(await chat(session, "echo-local", typed)).toBe(typed);
  });
});
