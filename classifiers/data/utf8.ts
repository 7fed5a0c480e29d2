/**
 * Strict UTF-8 decoding of data files and of predict's stdin. Node's own decoding replaces bad bytes
 * with U+FFFD, so a cp1252 file (Excel's "CSV (Comma delimited)") would train on "caf\uFFFD" and a
 * UTF-16 one (Windows PowerShell's `>`) would fail with misleading errors.
 */
import { constants } from "node:buffer";
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
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ERR_STRING_TOO_LONG") throw error;
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

/** UTF-16 units of UTF-8 `bytes`: one per lead byte, two for a 4-byte sequence (a surrogate pair). */
function utf16Length(bytes: Uint8Array): number {
  let units = 0;
  for (const byte of bytes) if (byte < 0x80 || byte >= 0xc0) units += byte >= 0xf0 ? 2 : 1;
  return units;
}

/** What is read of a first line to tell UTF-16 (a NUL among its first characters). */
const UTF16_PROBE_BYTES = 4096;

/**
 * The lines of a byte stream, each decoded as it completes (a line is answered before the next one
 * arrives); "\r\n" counts as "\n". String chunks (a stream with an encoding set) are taken as they are.
 * A line longer than `maxLength` UTF-16 units (Node.js's longest string; lowered by tests) is a
 * ClassifierDataError at its line, raised as soon as it is known, not V8's "Cannot create a string
 * longer than 0x1fffffe8 characters".
 */
export async function* utf8Lines(input: Readable, file: string, maxLength: number = constants.MAX_STRING_LENGTH): AsyncGenerator<string> {
  let line = 0;
  const tooLong = () =>
    new ClassifierDataError(
      `line too long: over ${maxLength} characters, the longest text Node.js can hold; shorten it (the classifier reads only the head of a text)`,
      file,
      line + 1,
    );
  const decode = (bytes: Uint8Array) => {
    line++;
    // A line of UTF-16 ends mid-character (its "\n" is followed by a NUL): the head of the first one tells.
    const probe = bytes.subarray(0, UTF16_PROBE_BYTES);
    if (line === 1 && looksUtf16(Buffer.from(probe.buffer, probe.byteOffset, probe.byteLength).toString("utf8"))) throw new ClassifierDataError(UTF16, file, line);
    const text = decodeLine(bytes, file, line);
    return text.endsWith("\r") ? text.slice(0, -1) : text;
  };
  // The chunks of the line being read: joined once its "\n" arrives. Joining them chunk by chunk
  // copied a long line over and over (a 30 MB line took 30 s of CPU, quadratic in its length).
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  // Counted only once the line's bytes exceed `maxLength` (a line has no more UTF-16 units than bytes).
  let pendingUnits: number | undefined;
  const hold = (bytes: Uint8Array) => {
    pending.push(bytes);
    pendingBytes += bytes.length;
    if (pendingBytes <= maxLength) return;
    pendingUnits = pendingUnits === undefined ? pending.reduce((units, chunk) => units + utf16Length(chunk), 0) : pendingUnits + utf16Length(bytes);
    if (pendingUnits > maxLength) throw tooLong();
  };
  const take = (): Uint8Array => {
    const joined = pending.length === 1 ? (pending[0] as Uint8Array) : Buffer.concat(pending);
    pending = [];
    pendingBytes = 0;
    pendingUnits = undefined;
    return joined;
  };
  for await (const chunk of input) {
    let data: Uint8Array = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : (chunk as Uint8Array);
    for (let end = data.indexOf(NEWLINE); end >= 0; end = data.indexOf(NEWLINE)) {
      hold(data.subarray(0, end));
      yield decode(take());
      data = data.subarray(end + 1);
    }
    if (data.length > 0) hold(data);
  }
  if (pending.length > 0) yield decode(take());
}
