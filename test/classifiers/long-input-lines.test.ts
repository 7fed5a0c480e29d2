/**
 * `classifier predict` reads stdin line by line: a very long line (a pasted document, a 100 MB
 * dump) costs time in proportion to its length. Before, each chunk of a line still being read was
 * appended by copying all the line so far, and a 30 MB line took about 30 s of CPU.
 */
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
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
  it("a 24 MiB line is read in CPU time linear in its length, whole, and the line after it too", async () => {
    const before = process.cpuUsage();
    const lines: string[] = [];
    for await (const line of utf8Lines(longLineInput(24 * MiB), "stdin")) lines.push(line);
    const used = process.cpuUsage(before);
    expect(lines.map((line) => line.length)).toEqual([24 * MiB, '{"text":"next"}'.length]);
    expect(lines[0]?.endsWith('xx"}')).toBe(true);
    // Linear: well under a second of CPU. Copying the line so far at every chunk took tens of seconds.
    expect((used.user + used.system) / 1000).toBeLessThan(5_000);
  }, 120_000);

  it("a line split across chunks, CRLF and no final newline still read as lines", async () => {
    const input = Readable.from([Buffer.from('{"text":"a'), Buffer.from('b"}\r'), Buffer.from('\n{"te'), Buffer.from('xt":"c"}')]);
    const lines: string[] = [];
    for await (const line of utf8Lines(input, "stdin")) lines.push(line);
    expect(lines).toEqual(['{"text":"ab"}', '{"text":"c"}']);
  });
});
