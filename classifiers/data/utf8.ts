/**
 * Strict UTF-8 decoding of data files and of predict's stdin. Node's own decoding replaces bad bytes
 * with U+FFFD, so a cp1252 file (Excel's "CSV (Comma delimited)") would train on "caf\uFFFD" and a
 * UTF-16 one (Windows PowerShell's `>`) would fail with misleading errors.
 */
import type { Readable } from "node:stream";
import { ClassifierDataError } from "../errors.js";

const NEWLINE = 0x0a;
const SAVE_AS = "save it as UTF-8";

function isUtf16(bytes: Uint8Array): boolean {
  return (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff);
}

/** `bytes` as UTF-8 text, a BOM kept for the caller; throws on any byte that is not UTF-8. */
function strictUtf8(bytes: Uint8Array): string {
  return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
}

/** One line (without its "\n"), or a ClassifierDataError at `line`. */
function decodeLine(bytes: Uint8Array, file: string, line: number): string {
  try {
    return strictUtf8(bytes);
  } catch {
    throw new ClassifierDataError(`not UTF-8 text (cp1252 or Latin-1?); ${SAVE_AS}`, file, line);
  }
}

/**
 * @example const text = decodeUtf8(await readFile(file), file);
 */
export function decodeUtf8(bytes: Uint8Array, file: string): string {
  if (isUtf16(bytes)) throw new ClassifierDataError(`UTF-16 text; ${SAVE_AS}`, file);
  try {
    return strictUtf8(bytes);
  } catch {
    // Only on failure: find the line of the first bad byte, decoding line by line.
    let line = 1;
    let start = 0;
    for (let end = bytes.indexOf(NEWLINE); ; end = bytes.indexOf(NEWLINE, start)) {
      decodeLine(bytes.subarray(start, end < 0 ? bytes.length : end), file, line);
      if (end < 0) break;
      start = end + 1;
      line++;
    }
    throw new ClassifierDataError(`not UTF-8 text; ${SAVE_AS}`, file);
  }
}

/**
 * The lines of a byte stream, each decoded as it completes (a line is answered before the next one
 * arrives); "\r\n" counts as "\n". String chunks (a stream with an encoding set) are taken as they are.
 */
export async function* utf8Lines(input: Readable, file: string): AsyncGenerator<string> {
  let pending: Uint8Array = new Uint8Array(0);
  let line = 0;
  const decode = (bytes: Uint8Array) => {
    line++;
    if (line === 1 && isUtf16(bytes)) throw new ClassifierDataError(`UTF-16 text; ${SAVE_AS}`, file, line);
    const text = decodeLine(bytes, file, line);
    return text.endsWith("\r") ? text.slice(0, -1) : text;
  };
  for await (const chunk of input) {
    const bytes: Uint8Array = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : (chunk as Uint8Array);
    let data = pending.length === 0 ? bytes : Buffer.concat([pending, bytes]);
    for (let end = data.indexOf(NEWLINE); end >= 0; end = data.indexOf(NEWLINE)) {
      yield decode(data.subarray(0, end));
      data = data.subarray(end + 1);
    }
    pending = data;
  }
  if (pending.length > 0) yield decode(pending);
}
