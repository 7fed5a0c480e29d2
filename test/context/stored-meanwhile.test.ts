/**
 * Which turns, stored while a save waited on a conflict, are that save's own turns stored by another
 * request (the client's next request resending them, or its retry): the redo must not store them
 * again, and must store them when only look-alikes are there.
 */
import { describe, expect, it } from "vitest";
import type { ChatMessage } from "../../src/api/chat-request.js";
import { storedMeanwhile } from "../../src/context/stored-meanwhile.js";
import { messageFingerprint, type StoredTurn } from "../../src/context/turn.js";

const user = (content: string): ChatMessage => ({ role: "user", content });
const assistant = (content: string): ChatMessage => ({ role: "assistant", content });
let clock = 1_000;
const stored = (requestId: string, ...messages: ChatMessage[]): StoredTurn[] => {
  const at = clock++;
  return messages.map((message) => ({ message, fingerprint: messageFingerprint(message), meta: { at, requestId } }));
};
/** Turns a request stored replacing the history (its client's version departed from the stored one). */
const rewritten = (requestId: string, ...messages: ChatMessage[]): StoredTurn[] => stored(requestId, ...messages).map((t) => ({ ...t, meta: { ...t.meta, rewrite: true } }));
const waiting = { requestId: "a", sent: [user("What is my order?")], answer: assistant("Order 42."), replace: false };

describe("storedMeanwhile", () => {
  const loaded = stored("old", user("Hello."), assistant("Hi."));

  it("finds the turns in the next request's turns, followed by its own", () => {
    const next = stored("b", user("What is my order?"), assistant("Order 42."), user("When does it ship?"), assistant("Monday."));
    expect(storedMeanwhile([...loaded, ...next], loaded, waiting)).toBe(true);
  });

  it("does not take a request that asked the same at the same time, answered alike, for the next one", () => {
    const twin = stored("b", user("What is my order?"), assistant("Order 42."));
    expect(storedMeanwhile([...loaded, ...twin], loaded, waiting)).toBe(false);
  });

  it("does not take turns it loaded for its own, however alike", () => {
    const before = [...loaded, ...stored("p", user("What is my order?"), assistant("Order 42."), user("Thanks."), assistant("Welcome."))];
    expect(storedMeanwhile([...before, ...stored("c", user("Hi again."), assistant("Hello."))], before, waiting)).toBe(false);
  });

  it("finds a retry under its own request id, whatever the retry's answer", () => {
    const retry = stored("a", user("What is my order?"), assistant("It is order 42."));
    expect(storedMeanwhile([...loaded, ...retry], loaded, waiting)).toBe(true);
  });

  it("does not take another question sent under the same request id (a client's fixed id) for a retry", () => {
    const later = stored("a", user("When does it ship?"), assistant("Monday."));
    expect(storedMeanwhile([...loaded, ...later], loaded, waiting)).toBe(false);
  });

  it("does not match across two requests' turns", () => {
    const split = [...stored("b", user("What is my order?")), ...stored("c", assistant("Order 42."), user("More?"), assistant("No."))];
    expect(storedMeanwhile([...loaded, ...split], loaded, waiting)).toBe(false);
  });

  it("finds them in a history the next request stored again (its client's differed), right after what it loaded", () => {
    const next = rewritten("b", user("Hello."), assistant("Hi."), user("What is my order?"), assistant("Order 42."), user("When does it ship?"), assistant("Monday."));
    expect(storedMeanwhile(next, loaded, waiting)).toBe(true);
    // Inside such a history, the same words after other turns are an older exchange, not A's.
    const other = rewritten("b", user("Hello."), assistant("Hi."), user("What is my order?"), assistant("Order 42."), user("Thanks."), assistant("Welcome."), user("Bye."), assistant("Bye."));
    expect(storedMeanwhile(other, stored("p", user("Hello."), assistant("Hi."), user("Thanks."), assistant("Welcome.")), waiting)).toBe(false);
  });

  it("does not take an old exchange that another tab's rewrite stored again, under its own id, for its new one", () => {
    const before = stored("p", user("ok"), assistant("Sure."), user("Write it."), assistant("Draft 1."));
    const rewrite = rewritten("b", user("ok"), assistant("Sure."), user("Write it shorter."), assistant("Draft 2."));
    expect(storedMeanwhile(rewrite, before, { requestId: "a", sent: [user("ok")], answer: assistant("Sure."), replace: false })).toBe(false);
  });

  it("finds its own rewrite from the conversation's start in the history the next request stored", () => {
    const edited = [user("Hello."), assistant("Hi."), user("What is my order, please?")];
    const next = rewritten("b", ...edited, assistant("Order 42."), user("When does it ship?"), assistant("Monday."));
    expect(storedMeanwhile(next, loaded, { requestId: "a", sent: edited, answer: assistant("Order 42."), replace: true })).toBe(true);
    expect(storedMeanwhile(next, loaded, { requestId: "a", sent: edited.slice(1), answer: assistant("Order 42."), replace: true })).toBe(false);
  });

  it("finds them first in the next request's turns when the store's trimming left nothing before them", () => {
    const next = stored("b", user("What is my order?"), assistant("Order 42."), user("When does it ship?"), assistant("Monday."));
    expect(storedMeanwhile(next, loaded, waiting)).toBe(true);
  });

  it("finds its own rewrite when the history the next request stored is longer than the store keeps", () => {
    const edited = [user("1"), assistant("2"), user("3"), assistant("4"), user("5 edited")];
    const next = rewritten("b", ...edited, assistant("6"), user("7"), assistant("8")).slice(-4);
    expect(storedMeanwhile(next, loaded, { requestId: "a", sent: edited, answer: assistant("6"), replace: true })).toBe(true);
    expect(storedMeanwhile(next, loaded, { requestId: "a", sent: edited, answer: assistant("6, differently"), replace: true })).toBe(false);
  });

  it("finds them first in the history the next request stored again when it loaded none (another request started the session)", () => {
    const next = rewritten("b", user("What is my order?"), assistant("Order 42."), user("When does it ship?"), assistant("Monday."));
    expect(storedMeanwhile(next, [], waiting)).toBe(true);
  });

  it("does not take an old exchange at the start of another tab's window rewrite for its new one", () => {
    const before = stored("p", user("Hello."), assistant("Hi."), user("ok"), assistant("Sure."), user("Write it."), assistant("Draft 1."));
    const window = rewritten("b", user("ok"), assistant("Sure."), user("Write it shorter."), assistant("Draft 2."));
    expect(storedMeanwhile(window, before, { requestId: "a", sent: [user("ok")], answer: assistant("Sure."), replace: false })).toBe(false);
  });

  it("finds them in the next request's appended turns that the store's trimming left first, whatever their words", () => {
    const before = stored("p", user("Continue."), assistant("Step 1 done."));
    const next = stored("b", user("Continue."), assistant("Step 2 done."), user("Continue."), assistant("Step 3 done."));
    expect(storedMeanwhile(next, before, { requestId: "a", sent: [user("Continue.")], answer: assistant("Step 2 done."), replace: false })).toBe(true);
  });

  it("does not take a window rewrite that merely starts with its answer's words for its own rewrite", () => {
    const before = stored("p", user("Add milk"), assistant("Done."), user("Add eggs"), assistant("Done."), user("Show list"), assistant("milk, eggs"));
    const edit = { requestId: "a", sent: [user("Add milk"), assistant("Done."), user("Add bread")], answer: assistant("Done."), replace: true };
    const window = rewritten("b", assistant("Done."), user("Add eggs"), assistant("Done."), user("Show the list"), assistant("milk, eggs"));
    expect(storedMeanwhile(window, before, edit)).toBe(false);
  });

  it("stays linear in a long history of repeated turns (a client-controlled body)", () => {
    // A rewrite of 10,000 turns saying "ok" waits; the next request stored 20,000 of them. A naive
    // search compares about 10,000 turns at each of 10,000 positions: 0.6–4.5 s of the replica's CPU
    // per redo (idle or busy machine), where this takes 0.1–0.4 s, mostly hashing the rewrite's messages.
    const alike = (n: number) => Array.from({ length: n }, () => user("ok"));
    const rewrite = { requestId: "a", sent: alike(9_999), answer: assistant("done"), replace: true };
    const next = rewritten("b", ...alike(20_000));
    const started = performance.now();
    expect(storedMeanwhile(next, [], rewrite)).toBe(false);
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
