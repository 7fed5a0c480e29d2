/** A refusal the session kept reaches a model on the host as the assistant's text, which its prompt can hold. */
import { describe, expect, it } from "vitest";
import type { ChatCompletionRequest } from "../../src/api/chat-request.js";
import { renderPlainPrompt } from "../../src/providers/local/prompt.js";
import { withRefusalsAsText } from "../../src/pipeline/stages/prepare.js";

describe("a stored refusal for a local model", () => {
  it("is the assistant's turn in the prompt, not an empty one", () => {
    const request: ChatCompletionRequest = {
      model: "local",
      messages: [
        { role: "user", content: "bad request" },
        { role: "assistant", content: null, refusal: "I can't help with that." },
        { role: "user", content: "why?" },
      ],
    };
    const prompt = renderPlainPrompt(withRefusalsAsText(request).messages).text;
    expect(prompt).toBe("User: bad request\n\nAssistant: I can't help with that.\n\nUser: why?\n\nAssistant:");
  });

  it("leaves a conversation without refusals as it is", () => {
    const request: ChatCompletionRequest = { model: "local", messages: [{ role: "user", content: "hi" }] };
    expect(withRefusalsAsText(request)).toBe(request);
  });
});
