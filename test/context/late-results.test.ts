/**
 * The stored history in the order a provider accepts: results that arrived after another exchange of
 * the session are put back with their call, the exchanges between moving before the call's.
 */
import { describe, expect, it } from "vitest";
import type { ChatMessage } from "../../src/api/chat-request.js";
import { attachLateResults } from "../../src/context/late-results.js";
import { assistant, system, toolCall, toolResult, user } from "./support.js";

const parallel: ChatMessage = {
  role: "assistant",
  content: null,
  tool_calls: [
    { id: "c1", type: "function", function: { name: "a", arguments: "{}" } },
    { id: "c2", type: "function", function: { name: "b", arguments: "{}" } },
  ],
};

describe("attachLateResults", () => {
  it("leaves a history whose results follow their calls as it is", () => {
    const history = [system("s"), user("q"), toolCall("c1", "f", "{}"), toolResult("c1", "r"), assistant("a"), user("next")];
    expect(attachLateResults(history)).toBe(history);
  });

  it("moves the exchanges between a call and its late result before the call's, after the instructions", () => {
    const history = [system("s"), user("old"), assistant("old answer"), user("q"), toolCall("c1", "f", "{}"), user("other"), assistant("other answer"), toolResult("c1", "r"), assistant("a")];
    expect(attachLateResults([...history])).toEqual([
      system("s"),
      user("old"),
      assistant("old answer"),
      user("other"),
      assistant("other answer"),
      user("q"),
      toolCall("c1", "f", "{}"),
      toolResult("c1", "r"),
      assistant("a"),
    ]);
  });

  it("joins parallel calls' results, one on time and one late", () => {
    const history = [user("q"), parallel, toolResult("c1", "one"), user("other"), assistant("x"), toolResult("c2", "two")];
    expect(attachLateResults([...history])).toEqual([user("other"), assistant("x"), user("q"), parallel, toolResult("c1", "one"), toolResult("c2", "two")]);
  });

  it("moves nothing when what came between does not start an exchange of its own", () => {
    const history = [user("q"), toolCall("c1", "f", "{}"), assistant("gave up waiting"), toolResult("c1", "r")];
    expect(attachLateResults([...history])).toEqual(history);
  });
});
