import { describe, expect, it } from "vitest";
import type { ChatMessage } from "../../src/api/chat-request.js";
import { selectClassifierText } from "../../classifiers/index.js";

describe("selectClassifierText with messages that have no text", () => {
  const image: ChatMessage = { role: "user", content: [{ type: "image_url", image_url: { url: "data:," } }] };

  it("an earlier user message without text does not use up previousUserTurns", () => {
    const messages: ChatMessage[] = [
      { role: "user", content: "translate good night to French" },
      { role: "assistant", content: "Bonne nuit." },
      image,
      { role: "user", content: "" },
      { role: "user", content: "and in German?" },
    ];
    expect(selectClassifierText(messages, { previousUserTurns: 1 })).toBe("and in German?\ntranslate good night to French");
  });

  it("a current message without text stays the current turn: alone it gives no text, with earlier turns only theirs", () => {
    const messages: ChatMessage[] = [{ role: "user", content: "describe this picture" }, { role: "assistant", content: "Sure." }, image];
    expect(selectClassifierText(messages)).toBe("");
    expect(selectClassifierText(messages, { previousUserTurns: 1 })).toBe("describe this picture");
  });

  it("joins the text parts of a content-part array", () => {
    const parts: ChatMessage = { role: "user", content: [{ type: "text", text: "part one" }, { type: "image_url", image_url: { url: "data:," } }, { type: "text", text: "part two" }] };
    expect(selectClassifierText([parts])).toBe("part one\npart two");
  });
});
