/**
 * A model without a chat template reads the conversation as a `Role: text` transcript. An instruction a
 * client sends mid-conversation ("the user is now on the premium plan") was moved to the top, before the
 * turns it follows, so the model read it as applying from the start; an instruction after a lone user
 * message was put before it.
 */
import { describe, expect, it } from "vitest";
import type { ChatMessage } from "../../src/api/chat-request.js";
import { renderPlainPrompt } from "../../src/providers/local/prompt.js";

const prompt = (messages: ChatMessage[]) => renderPlainPrompt(messages).text;

describe("a plain prompt keeps the conversation's order", () => {
  it("writes a system message sent between turns where it was sent", () => {
    expect(
      prompt([
        { role: "system", content: "Be brief." },
        { role: "user", content: "Hi" },
        { role: "assistant", content: "Hello!" },
        { role: "developer", content: "The user is now on the premium plan." },
        { role: "user", content: "What plan am I on?" },
      ]),
    ).toBe("System: Be brief.\n\nUser: Hi\n\nAssistant: Hello!\n\nSystem: The user is now on the premium plan.\n\nUser: What plan am I on?\n\nAssistant:");
  });

  it("writes an instruction after a lone user message after it, as a transcript", () => {
    expect(prompt([{ role: "user", content: "Once upon a time" }, { role: "system", content: "Answer in French." }])).toBe(
      "User: Once upon a time\n\nSystem: Answer in French.\n\nAssistant:",
    );
  });

  it("still sends a lone user message after its instructions as plain text, which a base model completes best", () => {
    const rendered = renderPlainPrompt([{ role: "system", content: "Tell a story." }, { role: "user", content: "Once upon a time" }]);
    expect(rendered).toEqual({ text: "Tell a story.\n\nOnce upon a time", stopTriggers: [] });
  });
});
