import { describe, expect, it } from "vitest";
import { mergeHistory } from "../../src/context/merge.js";
import { messageFingerprint, type StoredTurn } from "../../src/context/turn.js";
import type { ChatMessage } from "../../src/api/chat-request.js";
import { assistant, system, toolCall, toolResult, user } from "./support.js";

const stored = (...messages: ChatMessage[]): StoredTurn[] => messages.map((message) => ({ message, fingerprint: messageFingerprint(message), meta: { at: 0 } }));
const snapshot = (turns: StoredTurn[], instructions: StoredTurn[] = []) => ({ turns, instructions });
const history = stored(user("hi"), assistant("hello!"), user("how are you?"), assistant("fine"));

describe("merging client messages with the stored history", () => {
  it("uses the client's messages as they are when nothing is stored", () => {
    const merged = mergeHistory(snapshot([]), [system("be kind"), user("hi")]);
    expect(merged).toEqual({ mode: "new", messages: [system("be kind"), user("hi")], newTurns: [user("hi")], instructions: [system("be kind")], replace: false });
  });

  it("prepends the stored history when the client sends only the new turn", () => {
    const merged = mergeHistory(snapshot(history), [user("and now?")]);
    expect(merged.mode).toBe("continued");
    expect(merged.messages).toEqual([...history.map((t) => t.message), user("and now?")]);
    expect(merged.newTurns).toEqual([user("and now?")]);
  });

  it("stores only what follows the stored tail when the client resends the full history", () => {
    const client = [user("hi"), assistant("hello!"), user("how are you?"), assistant("fine"), user("and now?")];
    const merged = mergeHistory(snapshot(history), client);
    expect(merged.mode).toBe("overlap");
    expect(merged.messages).toEqual(client);
    expect(merged.newTurns).toEqual([user("and now?")]);
    expect(merged.replace).toBe(false);
  });

  it("matches echoed messages in a different but equivalent shape (content parts, null refusal)", () => {
    const client: ChatMessage[] = [
      { role: "user", content: [{ type: "text", text: "hi" }] },
      { role: "assistant", content: "hello!", refusal: null },
      user("how are you?"),
      { role: "assistant", content: [{ type: "text", text: "fine" }] },
      user("next"),
    ];
    expect(mergeHistory(snapshot(history), client).newTurns).toEqual([user("next")]);
  });

  it("matches a history stored pseudonymized by what the client saw", () => {
    const turns: StoredTurn[] = [
      { message: user("I am <PERSON_1>"), fingerprint: messageFingerprint(user("I am Ada")), meta: { at: 0 } },
      { message: assistant("Hi <PERSON_1>"), fingerprint: messageFingerprint(assistant("Hi Ada")), meta: { at: 0 } },
    ];
    const merged = mergeHistory(snapshot(turns), [user("I am Ada"), assistant("Hi Ada"), user("bye")]);
    expect(merged.mode).toBe("overlap");
    expect(merged.newTurns).toEqual([user("bye")]);
  });

  it("prepends the trimmed-away part when the client sends a window that starts inside the stored history", () => {
    const merged = mergeHistory(snapshot(history), [user("how are you?"), assistant("fine"), user("more")]);
    expect(merged.mode).toBe("overlap");
    expect(merged.messages).toEqual([user("hi"), assistant("hello!"), user("how are you?"), assistant("fine"), user("more")]);
    expect(merged.newTurns).toEqual([user("more")]);
  });

  it("accepts a client history longer than what was kept after trimming", () => {
    const kept = history.slice(2);
    const client = [user("hi"), assistant("hello!"), user("how are you?"), assistant("fine"), user("more")];
    const merged = mergeHistory(snapshot(kept), client);
    expect(merged.messages).toEqual(client);
    expect(merged.newTurns).toEqual([user("more")]);
  });

  it("stores nothing new when the client resends exactly the stored history", () => {
    const merged = mergeHistory(snapshot(history), history.map((t) => t.message));
    expect(merged.newTurns).toEqual([]);
  });

  it("lets the client's version win when its history diverged (an edited or regenerated turn)", () => {
    const client = [user("hi"), assistant("hello!"), user("how old are you?")];
    const merged = mergeHistory(snapshot(history), client);
    expect(merged).toMatchObject({ mode: "diverged", replace: true, messages: client, newTurns: client });
  });

  it("treats a lone repeated message as a new turn, not as a rewritten history", () => {
    const merged = mergeHistory(snapshot(history), [user("hi")]);
    expect(merged.mode).toBe("continued");
    expect(merged.messages).toHaveLength(5);
  });

  it("keeps stored instructions unless the client sends its own, and asks to save changed ones", () => {
    const instructions = stored(system("be brief"));
    const kept = mergeHistory(snapshot(history, instructions), [user("x")]);
    expect(kept.messages[0]).toEqual(system("be brief"));
    expect(kept.instructions).toBeUndefined();

    const same = mergeHistory(snapshot(history, instructions), [system("be brief"), user("x")]);
    expect(same.instructions).toBeUndefined();
    expect(same.messages).toEqual([system("be brief"), ...history.map((t) => t.message), user("x")]);

    const changed = mergeHistory(snapshot(history, instructions), [system("be verbose"), user("x")]);
    expect(changed.instructions).toEqual([system("be verbose")]);
    expect(changed.messages[0]).toEqual(system("be verbose"));
  });

  it("appends a tool result sent alone after a stored tool call", () => {
    const calls = stored(user("weather?"), toolCall("c1", "weather", "{}"));
    const merged = mergeHistory(snapshot(calls), [toolResult("c1", "sunny")]);
    expect(merged.messages).toEqual([user("weather?"), toolCall("c1", "weather", "{}"), toolResult("c1", "sunny")]);
    expect(merged.newTurns).toEqual([toolResult("c1", "sunny")]);
  });
});
