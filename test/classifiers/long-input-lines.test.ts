/**
 * `classifier predict` reads stdin line by line: a very long line (a pasted document, a 100 MB
 * dump) costs time in proportion to its length. Before, each chunk of a line still being read was
 * appended by copying all the line so far, and a 30 MB line took about 30 s of CPU. The test counts
 * the bytes copied to join a line (no timing).
 */
import { Readable } from "node:stream";
import { afterEach, describe, expect, it, vi } from "vitest";
import { utf8Lines } from "../../classifiers/data/utf8.js";

const MiB = 1024 * 1024;
const CHUNK = 64 * 1024;

/** One `{"text"}` line of `bytes` bytes, then a short line, in chunks of `CHUNK` bytes as a pipe gives them. */
function longLineInput(bytes: number): Readable {
  const text = "x".repeat(bytes - 11);
  const all = Buffer.from(`{"text":"${text}"}\n{"text":"next"}\n`);
  const chunks: Buffer[] = [];
  for (let at = 0; at < all.length; at += CHUNK) chunks.push(all.subarray(at, at + CHUNK));
  return Readable.from(chunks);
}

describe("predict's stdin lines", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("a 4 MiB line is joined once (bytes copied linear in its length), whole, and the line after it too", async () => {
    // Buffer.concat is how the chunks of a line are joined: counting what it copies tells linear from
    // quadratic without timing anything. Copying the line so far at every chunk copied ~32× the line.
    let copied = 0;
    const concat = Buffer.concat.bind(Buffer);
    vi.spyOn(Buffer, "concat").mockImplementation((list: readonly Uint8Array[], length?: number) => {
      const joined = concat(list, length);
      copied += joined.length;
      return joined;
    });
    const lines: string[] = [];
    for await (const line of utf8Lines(longLineInput(4 * MiB), "stdin")) lines.push(line);
    expect(lines.map((line) => line.length)).toEqual([4 * MiB, '{"text":"next"}'.length]);
    expect(lines[0]?.endsWith('xx"}')).toBe(true);
    expect(copied).toBeLessThanOrEqual(4 * MiB + 1024);
  });

  it("a line split across chunks, CRLF and no final newline still read as lines", async () => {
    const input = Readable.from([Buffer.from('{"text":"a'), Buffer.from('b"}\r'), Buffer.from('\n{"te'), Buffer.from('xt":"c"}')]);
    const lines: string[] = [];
    for await (const line of utf8Lines(input, "stdin")) lines.push(line);
    expect(lines).toEqual(['{"text":"ab"}', '{"text":"c"}']);
  });

  // A line longer than Node.js's longest string (0x1fffffe8 UTF-16 units, ~512 MiB) cannot be made
  // into a test stream here without over a gigabyte of memory: the limit is lowered to 10 instead.
  it("a line longer than the longest string is refused at its line, counted in characters, not bytes", async () => {
    const read = async (chunks: string[]) => {
      const lines: string[] = [];
      for await (const line of utf8Lines(Readable.from(chunks.map((chunk) => Buffer.from(chunk))), "stdin", 10)) lines.push(line);
      return lines;
    };
    // 10 characters in 20 bytes fit; so does a line split across chunks.
    expect(await read(["éééééééééé\n", "abcde", "fghij\n"])).toEqual(["éééééééééé", "abcdefghij"]);
    await expect(read(["short\n", "abcdef", "ghijk\nnext\n"])).rejects.toThrow(
      /^stdin:2: line too long: over 10 characters, the longest text Node\.js can hold; shorten it/,
    );
    await expect(read(["ok\n", "12345678901"])).rejects.toThrow(/^stdin:2: line too long/);
  });
});
