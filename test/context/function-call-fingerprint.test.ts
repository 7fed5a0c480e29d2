/**
 * Matching a resent history against the stored one when it holds the deprecated single function call
 * (`function_call`): the call is part of what identifies the message, and sessions stored before that
 * keep matching as they did.
 */
import { describe, expect, it } from "vitest";
import type { ChatMessage } from "../../src/api/chat-request.js";
import { mergeHistory } from "../../src/context/merge.js";
import { messageFingerprint, type StoredTurn } from "../../src/context/turn.js";
import { user } from "./support.js";

const stored = (...messages: ChatMessage[]): StoredTurn[] => messages.map((message) => ({ message, fingerprint: messageFingerprint(message), meta: { at: 0 } }));
const call = (args: object): ChatMessage => ({ role: "assistant", content: null, function_call: { name: "send_mail", arguments: JSON.stringify(args) } });
const result: ChatMessage = { role: "function", name: "send_mail", content: "sent" };

describe("the fingerprint of an assistant message with function_call", () => {
  it("tells apart two calls that differ only in their arguments or their function", () => {
    const a = call({ to: "finance" });
    expect(messageFingerprint(a)).not.toBe(messageFingerprint(call({ to: "legal" })));
    expect(messageFingerprint(a)).not.toBe(messageFingerprint({ role: "assistant", content: null, function_call: { name: "send_fax", arguments: '{"to":"finance"}' } }));
    expect(messageFingerprint(a)).not.toBe(messageFingerprint({ role: "assistant", content: "" }));
  });

  it("is the same for the call as stored and as the client echoes it back (empty content, refusal null)", () => {
    const echoed: ChatMessage = { role: "assistant", content: "", refusal: null, function_call: { name: "send_mail", arguments: '{"to":"finance"}' } };
    expect(messageFingerprint(echoed)).toBe(messageFingerprint(call({ to: "finance" })));
  });

  it("leaves the fingerprints of messages without a function_call as they were stored by earlier versions", () => {
    // Stored turns keep the fingerprint computed when they were saved; a change here would make every
    // live session's resent history look edited.
    expect(messageFingerprint({ role: "assistant", content: "It is sunny in Paris." })).toBe("rxWLwV69Qvr7U6LDdq8G4s");
    expect(messageFingerprint({ role: "assistant", content: "It is sunny in Paris.", function_call: null })).toBe("rxWLwV69Qvr7U6LDdq8G4s");
    const toolCall: ChatMessage = { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "weather", arguments: '{"city":"Paris"}' } }] };
    expect(messageFingerprint(toolCall)).toBe("3ouBLcckstC73oW3i4LAed");
    expect(messageFingerprint({ role: "function", name: "weather", content: "sunny" })).toBe("5MucLTHoQPHz6Lx5S17_Ri");
  });
});

describe("merging a resent history holding a function_call", () => {
  it("takes the client's version when it resends the history with the call edited", () => {
    const edited = [user("mail it"), call({ to: "legal" }), result];
    const merged = mergeHistory({ instructions: [], turns: stored(user("mail it"), call({ to: "finance" })) }, edited);
    expect(merged).toMatchObject({ mode: "diverged", replace: true, messages: edited, newTurns: edited });
  });

  it("stores only the function result when the client resends the history unchanged", () => {
    const resent = [user("mail it"), call({ to: "finance" }), result];
    const merged = mergeHistory({ instructions: [], turns: stored(user("mail it"), call({ to: "finance" })) }, resent);
    expect(merged).toMatchObject({ mode: "overlap", replace: false, messages: resent, newTurns: [result] });
  });

  it("replaces a session stored by an earlier version, which kept an empty turn for the call, with the client's history", () => {
    const resent = [user("mail it"), call({ to: "finance" }), result];
    const merged = mergeHistory({ instructions: [], turns: stored(user("mail it"), { role: "assistant", content: "" }) }, resent);
    expect(merged).toMatchObject({ mode: "diverged", replace: true, messages: resent, newTurns: resent });
  });

  describe("stored by a version that kept the call but did not hash it", () => {
    // The turn as it was saved: the message with its call, the fingerprint of the message without it.
    const storedBefore = (message: ChatMessage): StoredTurn => {
      const { function_call: _call, ...withoutCall } = message as ChatMessage & { function_call?: unknown };
      return { message, fingerprint: messageFingerprint(withoutCall as ChatMessage), meta: { at: 0 } };
    };

    it("stores only the function result when the client resends the history unchanged", () => {
      const resent = [user("mail it"), call({ to: "finance" }), result];
      const merged = mergeHistory({ instructions: [], turns: [...stored(user("mail it")), storedBefore(call({ to: "finance" }))] }, resent);
      expect(merged).toMatchObject({ mode: "overlap", replace: false, messages: resent, newTurns: [result] });
    });

    it("continues a session kept with sanitized storage, whose stored call holds placeholders, when the client resends it", () => {
      const resent = [user("mail it"), call({ to: "ann@example.com" }), result];
      const merged = mergeHistory({ instructions: [], turns: [...stored(user("mail it")), storedBefore(call({ to: "<EMAIL_1>" }))] }, resent);
      expect(merged).toMatchObject({ mode: "overlap", replace: false, newTurns: [result] });
    });

    it("takes the client's version when it resends the call to another function", () => {
      const edited = [user("mail it"), { role: "assistant", content: null, function_call: { name: "send_fax", arguments: '{"to":"finance"}' } } as ChatMessage, result];
      const merged = mergeHistory({ instructions: [], turns: [...stored(user("mail it")), storedBefore(call({ to: "finance" }))] }, edited);
      expect(merged).toMatchObject({ mode: "diverged", replace: true });
    });

    it("matches none of several such calls with the same text to different functions (turn.ts matchKeys, case C)", () => {
      // The old fingerprint cannot tell these calls apart, and the client's copies are keyed by their new one.
      const callTo = (name: string): ChatMessage => ({ role: "assistant", content: null, function_call: { name, arguments: "{}" } });
      const done = (name: string): ChatMessage => ({ role: "function", name, content: "done" });
      const turns = [...stored(user("mail it")), storedBefore(callTo("send_mail")), ...stored(done("send_mail"), user("fax it")), storedBefore(callTo("send_fax")), ...stored(done("send_fax"))];
      const full = [user("mail it"), callTo("send_mail"), done("send_mail"), user("fax it"), callTo("send_fax"), done("send_fax"), user("thanks")];
      expect(mergeHistory({ instructions: [], turns }, full)).toMatchObject({ mode: "diverged", replace: true, newTurns: full });
      // A window without the session's first turn: nothing lines up, so it is stored again after the stored turns.
      const window = full.slice(1);
      const merged = mergeHistory({ instructions: [], turns }, window);
      expect(merged).toMatchObject({ mode: "continued", replace: false, messages: [...turns.map((turn) => turn.message), ...window], newTurns: window });
    });

    it("is a rewrite when the client resends it after an edited turn", () => {
      // Matched by the old fingerprint, the call is a repeated stored turn: the client sends history.
      const edited = [user("mail it"), call({ to: "finance" }), result, user("and fax it")];
      const merged = mergeHistory({ instructions: [], turns: [...stored(user("mail it")), storedBefore(call({ to: "finance" })), ...stored(result, user("and mail legal"))] }, edited);
      expect(merged).toMatchObject({ mode: "diverged", replace: true });
    });
  });

  it("does not match a call to a turn stored since with the same text and no call", () => {
    // Only a stored turn that carries a call can hold the old fingerprint; one without is another message.
    const resent = [user("mail it"), call({ to: "finance" }), result];
    const merged = mergeHistory({ instructions: [], turns: stored(user("mail it"), { role: "assistant", content: null }) }, resent);
    expect(merged).toMatchObject({ mode: "diverged", replace: true });
  });
});
