import { describe, expect, it } from "vitest";
import type { ChatMessage } from "../../src/api/chat-request.js";
import { selectClassifierText } from "../../classifiers/index.js";

const conversation: ChatMessage[] = [
  { role: "system", content: "You are a helpful assistant." },
  { role: "user", content: "hi!" },
  { role: "assistant", content: "Hello! How can I help?" },
  { role: "user", content: [{ type: "text", text: "translate good night" }, { type: "image_url", image_url: { url: "data:," } }] },
  { role: "assistant", content: "Bonne nuit." },
  { role: "user", content: "and in German?" },
];

describe("selectClassifierText", () => {
  it("reads only the last user message by default", () => {
    expect(selectClassifierText(conversation)).toBe("and in German?");
  });

  it("adds earlier user turns after the current one, most recent first, never assistant or system text", () => {
    expect(selectClassifierText(conversation, { previousUserTurns: 1 })).toBe("and in German?\ntranslate good night");
    expect(selectClassifierText(conversation, { previousUserTurns: 5 })).toBe("and in German?\ntranslate good night\nhi!");
  });

  it("gives an empty text when there is no user message", () => {
    expect(selectClassifierText([{ role: "system", content: "x" }])).toBe("");
  });
});
