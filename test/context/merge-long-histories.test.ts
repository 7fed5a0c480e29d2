/**
 * Merging a long conversation against a long stored history costs time linear in the two. The overlap
 * search matched the stored tail backwards from every client message, and the rewrite check lined the
 * client's messages up from every start, each up to the whole stored history: a client sending 40,000
 * "hi" messages (~1.2 MB, within the body limit) against a session of 2,000 stored turns held the event
 * loop for seconds on every request. Timed in CPU time, least of a few runs (support/cpu-time.ts).
 */
import { describe, expect, it } from "vitest";
import type { ChatMessage } from "../../src/api/chat-request.js";
import { mergeHistory, type MergedHistory } from "../../src/context/merge.js";
import { messageFingerprint, type StoredTurn } from "../../src/context/turn.js";
import { leastCpuMs } from "../support/cpu-time.js";
import { assistant, user } from "./support.js";

const stored = (messages: ChatMessage[]): StoredTurn[] => messages.map((message) => ({ message, fingerprint: messageFingerprint(message), meta: { at: 0 } }));
const repeat = (count: number, message: ChatMessage): ChatMessage[] => Array.from({ length: count }, () => message);
const storedCount = 2_000;
const clientCount = 40_000;

function merged(turns: StoredTurn[], client: ChatMessage[]): { took: number; result: MergedHistory } {
  let result: MergedHistory | undefined;
  const took = leastCpuMs(() => (result = mergeHistory({ instructions: [], turns }, client)));
  return { took, result: result! };
}

describe("merging long conversations of repeated messages", () => {
  it("finds no overlap when the stored history departs from the client's deep inside, in linear time", () => {
    // Every client message ends a run of 1,999 stored "hi" before the stored first turn departs.
    const turns = stored([user("x"), ...repeat(storedCount - 1, user("hi"))]);
    const client = [user("y"), ...repeat(clientCount - 1, user("hi"))];
    const { took, result } = merged(turns, client);
    expect(result.mode).toBe("continued");
    expect(result.newTurns).toHaveLength(clientCount);
    // ~100 ms of fingerprints; the search from every end took ~4 s.
    expect(took).toBeLessThan(1_500);
  });

  it("finds no rewrite when every client message lines up with the stored start but for the last, in linear time", () => {
    const turns = stored([...repeat(storedCount - 1, user("hi")), user("x")]);
    const client = repeat(clientCount, user("hi"));
    const { took, result } = merged(turns, client);
    expect(result.mode).toBe("continued");
    expect(took).toBeLessThan(1_500);
  });

  it("still finds the stored tail at the latest place it ends in the client's messages", () => {
    const turns = stored([...repeat(storedCount - 1, user("hi")), assistant("ok")]);
    const client = [...repeat(clientCount, user("hi")), assistant("ok"), user("hi"), assistant("ok"), user("new")];
    const result = mergeHistory({ instructions: [], turns }, client);
    expect(result.mode).toBe("overlap");
    // Not at the last "ok": the stored "hi" before it meets the client's earlier "ok".
    expect(result.newTurns).toEqual([user("hi"), assistant("ok"), user("new")]);
  });

  it("still takes a client history that departs after lining up with an answer for a rewrite", () => {
    const turns = stored([...repeat(storedCount - 2, user("hi")), assistant("ok"), user("x")]);
    const client = [...repeat(storedCount - 2, user("hi")), assistant("ok"), user("edited")];
    const result = mergeHistory({ instructions: [], turns }, client);
    expect(result.mode).toBe("diverged");
    expect(result.replace).toBe(true);
  });
});
