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

  it("joins a late result that arrives right after an instruction", () => {
    const history = [user("q"), toolCall("c1", "f", "{}"), user("other"), assistant("x"), system("s"), toolResult("c1", "r")];
    expect(attachLateResults([...history])).toEqual([user("other"), assistant("x"), system("s"), user("q"), toolCall("c1", "f", "{}"), toolResult("c1", "r")]);
  });

  it("moves nothing when what came between does not start an exchange of its own", () => {
    const history = [user("q"), toolCall("c1", "f", "{}"), assistant("gave up waiting"), toolResult("c1", "r")];
    expect(attachLateResults([...history])).toEqual(history);
  });

  it("moves a call's exchange stored after its result (the result came first) before the result and what answered it", () => {
    const history = [user("old"), assistant("old answer"), toolResult("c1", "r"), assistant("a"), user("q"), toolCall("c1", "f", "{}"), user("next")];
    expect(attachLateResults([...history])).toEqual([
      user("old"),
      assistant("old answer"),
      user("q"),
      toolCall("c1", "f", "{}"),
      toolResult("c1", "r"),
      assistant("a"),
      user("next"),
    ]);
  });

  it("joins parallel calls' results, one early and one on time", () => {
    const history = [user("old"), assistant("x"), toolResult("c1", "one"), assistant("a"), user("q"), parallel, toolResult("c2", "two")];
    expect(attachLateResults([...history])).toEqual([user("old"), assistant("x"), user("q"), parallel, toolResult("c2", "two"), toolResult("c1", "one"), assistant("a")]);
  });
});

/**
 * The history is as long as a client makes it (a 1 MB body holds tens of thousands of messages), and
 * it is put in order on the request's path: a look back over the history per result, or a rebuild
 * per moved exchange, blocked the event loop for seconds.
 */
describe("attachLateResults on a long history", () => {
  const calls = 5000;
  const timed = (history: ChatMessage[]): { took: number; out: ChatMessage[] } => {
    attachLateResults(history.slice(0, 100));
    const started = performance.now();
    const out = attachLateResults(history);
    return { took: performance.now() - started, out };
  };

  it("puts thousands of late results with their calls in linear time", () => {
    const history: ChatMessage[] = [];
    for (let i = 0; i < calls; i++) history.push(user(`q${i}`), toolCall(`c${i}`, "f", "{}"));
    for (let i = 0; i < calls; i++) history.push(user(`other${i}`), toolResult(`c${i}`, `r${i}`));
    const { took, out } = timed(history);
    expect(took).toBeLessThan(250);
    // Every call is followed by its result.
    for (let i = 0; i < calls; i++) expect(out[out.indexOf(history[2 * i + 1]!) + 1]).toBe(history[2 * calls + 2 * i + 1]);
  });

  it("puts thousands of calls stored after their results before them in linear time", () => {
    const history: ChatMessage[] = [];
    for (let i = 0; i < calls; i++) history.push(user(`other${i}`), toolResult(`c${i}`, `r${i}`));
    for (let i = 0; i < calls; i++) history.push(user(`q${i}`), toolCall(`c${i}`, "f", "{}"));
    const { took, out } = timed(history);
    expect(took).toBeLessThan(250);
    for (let i = 0; i < calls; i++) expect(out[out.indexOf(history[2 * calls + 2 * i + 1]!) + 1]).toBe(history[2 * i + 1]);
  });

  it("passes over results of no call in linear time", () => {
    const history: ChatMessage[] = [];
    for (let i = 0; i < 20_000; i++) history.push(user(`q${i}`), toolResult(`unknown${i}`, "r"));
    const { took, out } = timed(history);
    expect(took).toBeLessThan(250);
    expect(out).toBe(history);
  });
});
