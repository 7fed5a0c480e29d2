/**
 * The upstream event-stream reader: what an OpenAI-compatible server may send, byte-split however the
 * network splits it, comes out as the chunks the SDK's own reader would give — except a last event
 * without its blank line, which the SDK drops and this reader keeps.
 */
import { APIError } from "openai";
import { describe, expect, it } from "vitest";
import { MAX_EVENT_CHARS, MalformedEventError, readEventStream, UnfinishedStreamError } from "../../src/providers/cloud/event-stream.js";

async function* pieces(...parts: Array<string | Uint8Array>): AsyncGenerator<Uint8Array> {
  for (const part of parts) yield typeof part === "string" ? Buffer.from(part) : part;
}

const chunk = (content: string) => ({ id: "c", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta: { content }, finish_reason: null }] });
const finish = (content: string) => ({ ...chunk(content), choices: [{ index: 0, delta: { content }, finish_reason: "stop" }] });
const event = (value: unknown) => `data: ${JSON.stringify(value)}\n\n`;

async function contents(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<string[]> {
  const out: string[] = [];
  for await (const c of readEventStream(source, undefined)) out.push(c.choices[0]?.delta.content ?? "<usage>");
  return out;
}

describe("readEventStream", () => {
  it("reads one chunk per event and stops at [DONE]", async () => {
    expect(await contents(pieces(event(chunk("Hel")) + event(chunk("lo")), "data: [DONE]\n\n"))).toEqual(["Hel", "lo"]);
  });

  it("joins events split at any byte, including inside a multi-byte character", async () => {
    const bytes = Buffer.from(event(chunk("Grüße → 東京")) + "data: [DONE]\n\n");
    for (let cut = 1; cut < bytes.length; cut += 7) {
      expect(await contents(pieces(bytes.subarray(0, cut), bytes.subarray(cut)))).toEqual(["Grüße → 東京"]);
    }
  });

  it("reads CRLF streams split at any byte, including between CR and LF", async () => {
    const text = `data: ${JSON.stringify(chunk("a"))}\r\n\r\ndata: {"id":"c","object":"chat.completion.chunk",\r\ndata: "created":1,"model":"m","choices":[{"index":0,"delta":{"content":"b"},"finish_reason":null}]}\r\n\r\ndata: [DONE]\r\n\r\n`;
    const bytes = Buffer.from(text);
    for (let cut = 1; cut < bytes.length; cut++) {
      expect(await contents(pieces(bytes.subarray(0, cut), bytes.subarray(cut)))).toEqual(["a", "b"]);
    }
  });

  it("accepts CRLF line endings, comments, event names and multi-line data", async () => {
    const text = `: keep-alive\r\n\r\nevent: message\r\ndata: ${JSON.stringify(chunk("a"))}\r\n\r\ndata: {"id":"c","object":"chat.completion.chunk",\ndata: "created":1,"model":"m","choices":[{"index":0,"delta":{"content":"b"},"finish_reason":null}]}\n\ndata: [DONE]\n\n`;
    expect(await contents(pieces(text))).toEqual(["a", "b"]);
  });

  it("returns at [DONE] without reading on, even when the body never ends", async () => {
    let pulled = 0;
    async function* neverEnding() {
      for (const part of [event(chunk("x")), "data: [DONE]\n\n"]) {
        pulled++;
        yield Buffer.from(part);
      }
      await new Promise(() => {});
    }
    expect(await contents(neverEnding())).toEqual(["x"]);
    expect(pulled).toBe(2);
  });

  it("reads a stream fed one byte at a time, each blank line split between reads", async () => {
    const bytes = Buffer.from(`${event(chunk("a"))}: comment\n\n${event(chunk("Grüße"))}data: [DONE]\n\n${event(chunk("after"))}`);
    expect(await contents(pieces(...Array.from(bytes, (byte) => Uint8Array.of(byte))))).toEqual(["a", "Grüße"]);
  });

  it("drops a byte-order mark opening the stream, also one split across reads, and keeps one inside the text", async () => {
    const body = `\uFEFF${event(chunk("first"))}${event(chunk("\uFEFFsecond"))}data: [DONE]\n\n`;
    expect(await contents(pieces(body))).toEqual(["first", "\uFEFFsecond"]);
    const bytes = Buffer.from(body);
    expect(await contents(pieces(bytes.subarray(0, 1), bytes.subarray(1, 2), bytes.subarray(2)))).toEqual(["first", "\uFEFFsecond"]);
  });

  it("takes a last event that lacks its blank line", async () => {
    expect(await contents(pieces(event(chunk("a")), `data: ${JSON.stringify(finish("b"))}`))).toEqual(["a", "b"]);
  });

  describe("a body that ends without [DONE]", () => {
    it("is a complete answer when a chunk carried a finish_reason (a usage chunk may follow it)", async () => {
      expect(await contents(pieces(event(chunk("a")), event(finish("b")), event({ ...chunk(""), choices: [], usage: { prompt_tokens: 1, completion_tokens: 2 } })))).toEqual(["a", "b", "<usage>"]);
    });

    it("is a complete answer after [DONE] without any finish_reason, also a [DONE] lacking its blank line", async () => {
      expect(await contents(pieces(event(chunk("a")), "data: [DONE]\n\n"))).toEqual(["a"]);
      expect(await contents(pieces(event(chunk("a")), "data: [DONE]"))).toEqual(["a"]);
    });

    it("fails as unfinished after the chunks it had, when none carried a finish_reason", async () => {
      for (const last of [event(chunk("$1,")), `data: ${JSON.stringify(chunk("$1,"))}`]) {
        const read: string[] = [];
        const error = await (async () => {
          for await (const c of readEventStream(pieces(event(chunk("The total due is ")), last), undefined)) read.push(c.choices[0]?.delta.content ?? "");
        })().catch((e: unknown) => e);
        expect(read).toEqual(["The total due is ", "$1,"]);
        expect(error).toBeInstanceOf(UnfinishedStreamError);
        expect((error as Error).message).toContain("the upstream stream ended before the answer finished");
      }
    });

    it("leaves a body without any chunk to its caller (no events is its own failure)", async () => {
      expect(await contents(pieces(": ping\n\n"))).toEqual([]);
    });
  });

  it("fails with the SDK's APIError when an event carries an error", async () => {
    const failing = pieces(event(chunk("a")), event({ error: { message: "overloaded", type: "server_error" } }));
    const error = await contents(failing).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).message).toContain("overloaded");
  });

  it("fails clearly on an event that is not JSON, without echoing its content", async () => {
    const error = await contents(pieces("data: {secret-ish garbage\n\n")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MalformedEventError);
    expect((error as Error).message).not.toContain("secret");
  });

  describe("an event of many reads", () => {
    /** `text` as the network might deliver it: in 16 KB pieces. */
    function* inPieces(text: string, size = 16 * 1024): Generator<Uint8Array> {
      const bytes = Buffer.from(text);
      for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
    }

    it("reads an event just under the cap whole, in LF or CRLF", async () => {
      for (const [eol, content] of [["\n", "y".repeat(MAX_EVENT_CHARS - 200)], ["\r\n", "z".repeat(1024 * 1024)]] as const) {
        const text = `data: ${JSON.stringify(chunk(content))}${eol}${eol}data: ${JSON.stringify(chunk("next"))}${eol}${eol}data: [DONE]${eol}${eol}`;
        const read = await contents(inPieces(text));
        expect(read.length).toBe(2);
        expect(read[0] === content).toBe(true);
        expect(read[1]).toBe("next");
      }
    });

    it("fails as malformed once an event outgrows the cap, having read little more than it", async () => {
      let pulled = 0;
      function* noBlankLine(): Generator<Uint8Array> {
        yield Buffer.from(event(chunk("fine")));
        const piece = Buffer.from(`data: ${"z".repeat(64 * 1024 - 7)}\n`);
        for (;;) {
          pulled += piece.length;
          yield piece;
        }
      }
      const error = await contents(noBlankLine()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MalformedEventError);
      expect((error as Error).message).toContain("longer than");
      expect(pulled).toBeGreaterThan(MAX_EVENT_CHARS);
      expect(pulled).toBeLessThanOrEqual(MAX_EVENT_CHARS + 64 * 1024);
    });

    it("counts a last event without its blank line against the cap too", async () => {
      const error = await contents(inPieces(`data: ${"z".repeat(MAX_EVENT_CHARS)}`)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MalformedEventError);
    });
  });
});

describe("readEventStream: tool call pieces without an index", () => {
  const callChunk = (...calls: object[]) => ({ ...chunk(""), choices: [{ index: 0, delta: { tool_calls: calls }, finish_reason: null }] });
  const indexes = async (...events: object[]) => {
    const out: Array<[unknown, unknown]> = [];
    for await (const c of readEventStream(pieces(...events.map(event), "data: [DONE]\n\n"), undefined)) {
      for (const call of (c.choices[0]?.delta.tool_calls ?? []) as { index: unknown; id?: string }[]) out.push([call.id, call.index]);
    }
    return out;
  };

  it("give a piece repeating its call's id that call's index, and a piece after numbered calls the next one", async () => {
    // Ids on every piece (arguments in two pieces), a metadata-only piece naming the first call again, then a call with an index.
    const a = { id: "call_a", type: "function", function: { name: "f", arguments: "{" } };
    const b = { id: "call_b", type: "function", function: { name: "g", arguments: "{}" } };
    expect(await indexes(callChunk(a), callChunk({ id: "call_a", function: { arguments: "}" } }), callChunk(b), callChunk({ id: "call_a", extra_content: {} }), callChunk({ index: 5, id: "call_c" }), callChunk({ id: "call_d" }), finish(""))).toEqual([
      ["call_a", 0],
      ["call_a", 0],
      ["call_b", 1],
      ["call_a", 0],
      ["call_c", 5],
      ["call_d", 6],
    ]);
  });

  it("give an id-less piece the latest call written to, not one a metadata-only piece named", async () => {
    // call_b's arguments go on after a piece carrying only call_a's vendor fields.
    const a = { id: "call_a", type: "function", function: { name: "f", arguments: "{}" } };
    const b = { id: "call_b", type: "function", function: { name: "g", arguments: "{" } };
    expect(await indexes(callChunk(a), callChunk(b), callChunk({ id: "call_a", extra_content: {} }), callChunk({ function: { arguments: "}" } }), finish(""))).toEqual([
      ["call_a", 0],
      ["call_b", 1],
      ["call_a", 0],
      [undefined, 1],
    ]);
  });

  it("give the calls of one delta without index or id (id \"\") an index each", async () => {
    // Parallel Gemini calls as a proxy relays them: both in one chunk, each with `id: ""`.
    const f = { id: "", type: "function", function: { name: "f", arguments: "{}" } };
    const g = { id: "", type: "function", function: { name: "g", arguments: "{}" } };
    expect(await indexes(callChunk(f, g), finish(""))).toEqual([
      ["", 0],
      ["", 1],
    ]);
  });

  it("give the entries of one delta with the same id that id's call", async () => {
    // A proxy sending a call's name and its vendor fields as two entries: one call, not two (the second
    // would be a call without a name, on which the OpenAI SDK's finalChatCompletion() throws).
    const named = { id: "call_a", type: "function", function: { name: "f", arguments: "{}" } };
    const extra = { id: "call_a", extra_content: { google: { thought_signature: "sig" } } };
    expect(await indexes(callChunk(named, extra), finish(""))).toEqual([
      ["call_a", 0],
      ["call_a", 0],
    ]);
  });
});
