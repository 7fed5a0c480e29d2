/**
 * The stored history in the order a provider accepts: results that arrived after another exchange of
 * the session are put back with their call, the exchanges between moving before the call's.
 */
import { describe, expect, it } from "vitest";
import type { ChatMessage } from "../../src/api/chat-request.js";
import { attachLateResults } from "../../src/context/late-results.js";
import { leastCpuMs } from "../support/cpu-time.js";
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

  it("joins parallel calls' results, one early and one on time, the answers after both", () => {
    const history = [user("old"), assistant("x"), toolResult("c1", "one"), assistant("a1"), user("q"), parallel, toolResult("c2", "two"), assistant("a2")];
    expect(attachLateResults([...history])).toEqual([user("old"), assistant("x"), user("q"), parallel, toolResult("c2", "two"), toolResult("c1", "one"), assistant("a1"), assistant("a2")]);
  });

  it("puts a parallel call's results, sent together in another order, after the call, and the call's later turns after them", () => {
    const twoCalls: ChatMessage = { ...parallel };
    const reversed = [user("hi"), assistant("hello"), toolResult("c2", "two"), toolResult("c1", "one"), assistant("a1"), user("q"), twoCalls];
    expect(attachLateResults([...reversed])).toEqual([user("hi"), assistant("hello"), user("q"), twoCalls, toolResult("c2", "two"), toolResult("c1", "one"), assistant("a1")]);
    const answered = [user("hi"), assistant("hello"), toolResult("c1", "one"), toolResult("c2", "two"), user("q"), twoCalls, assistant("a1")];
    expect(attachLateResults([...answered])).toEqual([user("hi"), assistant("hello"), user("q"), twoCalls, toolResult("c1", "one"), toolResult("c2", "two"), assistant("a1")]);
  });

  it("puts a parallel call whose results came one per request, the model calling again in between, where a provider takes it", () => {
    const history = [toolResult("c2", "two"), toolCall("c3", "h", "{}"), toolResult("c1", "one"), user("q"), parallel, toolResult("c3", "three"), assistant("a")];
    const out = attachLateResults([...history]);
    const call = out.indexOf(parallel);
    expect(out.slice(call + 1, call + 3).map((m) => m.role === "tool" && m.tool_call_id).sort()).toEqual(["c1", "c2"]);
    expect(out).toHaveLength(history.length);
  });

  it("keeps two calls' early results, sent together, each with its own call", () => {
    const history = [user("hi"), toolResult("x", "rx"), toolResult("y", "ry"), user("qx"), toolCall("x", "f", "{}"), user("qy"), toolCall("y", "g", "{}")];
    expect(attachLateResults([...history])).toEqual([user("hi"), user("qx"), toolCall("x", "f", "{}"), toolResult("x", "rx"), user("qy"), toolCall("y", "g", "{}"), toolResult("y", "ry")]);
  });

  it("leaves an orphan result alone when a later call reuses its id and is answered itself (ids numbered per turn)", () => {
    const history = [user("q1"), assistant("a1"), toolResult("call_0", "old"), assistant("old answer"), user("q2"), toolCall("call_0", "f", "{}"), toolResult("call_0", "new"), assistant("a2"), user("q3")];
    expect(attachLateResults([...history])).toEqual(history);
  });

  it("sends every message when early results' exchanges would each go before the other", () => {
    const history = [user("q0"), toolResult("C", "rC"), toolCall("K", "k", "{}"), toolResult("E", "rE"), toolCall("C", "c", "{}"), toolResult("K", "rK"), toolCall("E", "e", "{}"), user("q")];
    const out = attachLateResults([...history]);
    expect(new Set(out)).toEqual(new Set(history));
    expect(out).toHaveLength(history.length);
  });

  it("sends each message once, whatever the order of calls, results and questions", () => {
    // Seeded shuffles of a few calls, each with one result, among questions and answers: a failure
    // names a history that can be replayed.
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    for (let round = 0; round < 5_000; round++) {
      const history: ChatMessage[] = [];
      for (let id = random(5); id > 0; id--) history.push(toolCall(`c${id}`, "f", "{}"), toolResult(`c${id}`, "r"));
      for (let other = random(5); other > 0; other--) history.push([user("q"), assistant("a"), system("s")][random(3)]!);
      for (let i = history.length - 1; i > 0; i--) {
        const k = random(i + 1);
        [history[i], history[k]] = [history[k]!, history[i]!];
      }
      const out = attachLateResults([...history]);
      expect(out).toHaveLength(history.length);
      expect(new Set(out)).toEqual(new Set(history));
    }
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
    let out: ChatMessage[] = [];
    // CPU time, least of a few runs (support/cpu-time.ts): one run's wall time (up to ~200 ms on a busy
    // machine) counts the worker's wait for a core and came near the bound; the quadratic look back took seconds.
    const took = leastCpuMs(() => (out = attachLateResults(history)));
    return { took, out };
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
