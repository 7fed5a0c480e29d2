/**
 * When a request that repeats stored messages is a rewritten history (the client resent the
 * conversation and departed from it: an edited or regenerated turn) and when it is a new turn that
 * happens to repeat a message (a backend that puts the same preamble in front of every question).
 */
import { describe, expect, it } from "vitest";
import type { ChatMessage } from "../../src/api/chat-request.js";
import { mergeHistory } from "../../src/context/merge.js";
import { messageFingerprint, type StoredTurn } from "../../src/context/turn.js";
import { assistant, user } from "./support.js";

const stored = (...messages: ChatMessage[]): StoredTurn[] => messages.map((message) => ({ message, fingerprint: messageFingerprint(message), meta: { at: 0 } }));
const snapshot = (...messages: ChatMessage[]) => ({ instructions: [], turns: stored(...messages) });

const PRE = user("Context: I am a support agent for ACME.");
const session = [PRE, user("How do I reset a password?"), assistant("Use the reset link."), user("And unlock an account?"), assistant("Ask an admin.")];

describe("a request repeating stored messages", () => {
  it("is a new turn when it only repeats the preamble the stored history opens with", () => {
    const merged = mergeHistory(snapshot(...session), [PRE, user("What about 2FA?")]);
    expect(merged).toMatchObject({ mode: "continued", replace: false, newTurns: [PRE, user("What about 2FA?")] });
    expect(merged.messages).toEqual([...session, PRE, user("What about 2FA?")]);
  });

  it("is a new turn when the preamble repeats inside the stored history too", () => {
    const twice = [...session, PRE, user("What about 2FA?"), assistant("Use an app.")];
    const merged = mergeHistory(snapshot(...twice), [PRE, user("And SSO?")]);
    expect(merged).toMatchObject({ mode: "continued", replace: false });
    expect(merged.messages).toEqual([...twice, PRE, user("And SSO?")]);
  });

  it("is a new turn when it repeats the stored first question and its preamble, without an answer", () => {
    const merged = mergeHistory(snapshot(...session), [PRE, user("How do I reset a password?")]);
    expect(merged).toMatchObject({ mode: "continued", replace: false });
  });

  it("is a new turn when it is one message, even a call result equal to a stored one (a retry without x-request-id)", () => {
    const call: ChatMessage = { role: "assistant", content: null, tool_calls: [{ id: "c1", type: "function", function: { name: "lookup", arguments: "{}" } }] };
    const result: ChatMessage = { role: "tool", tool_call_id: "c1", content: "r1" };
    const history = [user("earlier question"), assistant("earlier answer"), user("u1"), call, result, assistant("done")];
    const merged = mergeHistory(snapshot(...history), [result]);
    expect(merged).toMatchObject({ mode: "continued", replace: false, newTurns: [result] });
    expect(merged.messages).toEqual([...history, result]);
  });

  it("is a rewrite when the client resends the history from its start and edits a later question", () => {
    const client = [...session.slice(0, 3), user("And delete an account?")];
    expect(mergeHistory(snapshot(...session), client)).toMatchObject({ mode: "diverged", replace: true, messages: client, newTurns: client });
  });

  it("is a rewrite when the client regenerates the last answer", () => {
    const client = session.slice(0, 4);
    expect(mergeHistory(snapshot(...session), client)).toMatchObject({ mode: "diverged", replace: true, newTurns: client });
  });

  it("is a rewrite when the client resends a longer history than the store kept, with an edit", () => {
    const older = [user("hi"), assistant("hello")];
    const client = [...older, ...session.slice(0, 3), user("And delete an account?")];
    expect(mergeHistory(snapshot(...session), client)).toMatchObject({ mode: "diverged", replace: true, newTurns: client });
  });

  it("is a rewrite when a window of recent messages departs from the stored history", () => {
    const client = [session[1]!, session[2]!, user("And delete an account?")];
    expect(mergeHistory(snapshot(...session), client)).toMatchObject({ mode: "diverged", replace: true });
  });
});
