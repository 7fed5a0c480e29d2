/**
 * Strict UTF-8 decoding of data files and of predict's stdin. Node's own decoding replaces bad bytes
 * with U+FFFD, so a cp1252 file (Excel's "CSV (Comma delimited)") would train on "caf\uFFFD" and a
 * UTF-16 one (Windows PowerShell's `>`) would fail with misleading errors.
 */
import type { Readable } from "node:stream";
import { decodeStrictUtf8, looksUtf16, positionAt, strictUtf8 } from "../../src/config/text-encoding.js";
import { ClassifierDataError } from "../errors.js";

const NEWLINE = 0x0a;
const SAVE_AS = "save it as UTF-8";
const UTF16 = `UTF-16 text; ${SAVE_AS}`;
const NOT_UTF8 = `not UTF-8 text (cp1252 or Latin-1?); ${SAVE_AS}`;

/** One line (without its "\n"), or a ClassifierDataError at `line`. */
function decodeLine(bytes: Uint8Array, file: string, line: number): string {
  try {
    return strictUtf8(bytes);
  } catch {
    throw new ClassifierDataError(NOT_UTF8, file, line);
  }
}

/**
 * The file's text, or a ClassifierDataError naming UTF-16 (with or without a byte-order mark, as
 * policy files are read) or the line of the first byte that is not UTF-8.
 *
 * @example const text = decodeUtf8(await readFile(file), file);
 */
export function decodeUtf8(bytes: Uint8Array, file: string): string {
  const { text, badOffset } = decodeStrictUtf8(bytes);
  if (looksUtf16(text)) throw new ClassifierDataError(UTF16, file);
  if (badOffset !== undefined) throw new ClassifierDataError(NOT_UTF8, file, positionAt(text, badOffset).line);
  return text;
}

/**
 * The lines of a byte stream, each decoded as it completes (a line is answered before the next one
 * arrives); "\r\n" counts as "\n". String chunks (a stream with an encoding set) are taken as they are.
 */
export async function* utf8Lines(input: Readable, file: string): AsyncGenerator<string> {
  let line = 0;
  const decode = (bytes: Uint8Array) => {
    line++;
    // A line of UTF-16 ends mid-character (its "\n" is followed by a NUL): the first one tells.
    if (line === 1 && looksUtf16(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8"))) throw new ClassifierDataError(UTF16, file, line);
    const text = decodeLine(bytes, file, line);
    return text.endsWith("\r") ? text.slice(0, -1) : text;
  };
  // The chunks of the line being read: joined once its "\n" arrives. Joining them chunk by chunk
  // copied a long line over and over (a 30 MB line took 30 s of CPU, quadratic in its length).
  let pending: Uint8Array[] = [];
  for await (const chunk of input) {
    let data: Uint8Array = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : (chunk as Uint8Array);
    for (let end = data.indexOf(NEWLINE); end >= 0; end = data.indexOf(NEWLINE)) {
      const tail = data.subarray(0, end);
      yield decode(pending.length === 0 ? tail : Buffer.concat([...pending, tail]));
      pending = [];
      data = data.subarray(end + 1);
    }
    if (data.length > 0) pending.push(data);
  }
  if (pending.length > 0) yield decode(pending.length === 1 ? (pending[0] as Uint8Array) : Buffer.concat(pending));
}
