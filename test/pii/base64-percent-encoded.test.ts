/**
 * base64 percent-encoded into a query (`encodeURIComponent` of an OAuth `state` or a `return` blob) is
 * read whole: `%2B`, `%2F` and `%3D` are its `+`, `/` and padding. The run was cut at the first of
 * them, a prefix that decoded to the start of the JSON was taken for the whole base64 text, and the
 * address after the cut went out as written. A finding inside restores as the base64 was written,
 * escapes and all: it came back percent-decoded, where a `+` reads as a space. base64 whose start only
 * a later round sees (`data%3Atext%2Fplain%3Bbase64%2C…`, a link's data URI encoded whole) is read
 * whole however long: the decoded stretch around the escapes ended 256 characters after the last one,
 * and a longer payload was decoded cut there, the address after the cut never seen.
 */
import { describe, expect, it } from "vitest";
import { base64Texts } from "../../src/pii/decode-base64.js";
import { PseudonymVault, restore } from "../../src/pii/index.js";
import { cloudTextOf, patientSanitizer } from "./support.js";

const { sanitizer } = patientSanitizer();
const base64 = (text: string) => Buffer.from(text).toString("base64");

describe("base64 JSON percent-encoded into a query", () => {
  it("is read whole when `%2F` and `%2B` stand inside its run", () => {
    const state = encodeURIComponent(base64('{"note":"hello there yy??>>","email":"ann.lee@example.com"}'));
    expect(state).toMatch(/%2F.*%2B/);
    expect(cloudTextOf(sanitizer, `GET /cb?state=${state}&code=1`)).toBe("GET /cb?state=<EMAIL_ADDRESS_1>&code=1");
  });

  it("takes `%3D` as its padding, and ends at the next parameter", () => {
    const state = encodeURIComponent(base64('{"return_to":"/home?","email":"ann.lee@example.com"}'));
    expect(state).toMatch(/%3D%3D$/);
    const text = `GET /cb?state=${state}&code=1`;
    const [found] = base64Texts(text);
    expect(text.slice(found!.start, found!.end)).toBe(state);
    expect(found!.text).toBe('{"return_to":"/home?","email":"ann.lee@example.com"}');
  });

  it("restores as written, escapes and all", () => {
    const state = encodeURIComponent(base64('{"n":"??>>","email":"ann.lee@example.com"}'));
    expect(state).toContain("%2B");
    const vault = new PseudonymVault();
    expect(cloudTextOf(sanitizer, `GET /cb?state=${state}&code=1`, vault)).toBe("GET /cb?state=<EMAIL_ADDRESS_1>&code=1");
    expect(restore("GET /cb?state=<EMAIL_ADDRESS_1>&code=1", vault)).toBe(`GET /cb?state=${state}&code=1`);
  });
});

describe("a data: URI whose payload is percent-encoded", () => {
  it("is read whole", () => {
    const payload = encodeURIComponent(base64("Notes ?>> call me: write to ann.lee@example.com"));
    expect(payload).toMatch(/%2B.*%3D$/);
    expect(cloudTextOf(sanitizer, `<a href="data:text/plain;base64,${payload}">notes</a>`)).toBe('<a href="data:text/plain;base64,<EMAIL_ADDRESS_1>">notes</a>');
  });
});

describe("base64 whose start is itself percent-encoded", () => {
  const notes = `${"Meeting notes for the quarterly review. ".repeat(10)}Contact ann.lee@example.com`;

  it("a data: URI encoded whole, its payload longer than the stretch read around its escapes", () => {
    const payload = base64(notes);
    expect(cloudTextOf(sanitizer, `<a href="data%3Atext%2Fplain%3Bbase64%2C${payload}">notes</a>`)).toBe(
      '<a href="data%3Atext%2Fplain%3Bbase64%2C<EMAIL_ADDRESS_1>">notes</a>',
    );
  });

  it("base64 JSON in a URL that is itself a parameter, in a long text", () => {
    // Long enough that only the stretches around escapes are decoded, not the whole text.
    const log = "GET /health HTTP/1.1 200 OK\n".repeat(100);
    const state = base64(JSON.stringify({ note: notes.slice(0, 300), email: "ann.lee@example.com" }));
    expect(cloudTextOf(sanitizer, `GET /login?next=%2Fcb%3Fstate%3D${state} HTTP/1.1\n${log}`)).toBe(
      `GET /login?next=%2Fcb%3Fstate%3D<EMAIL_ADDRESS_1> HTTP/1.1\n${log}`,
    );
  });
});

describe("other percent escapes", () => {
  it("end the run: only `+`, `/` and `=` are base64's", () => {
    expect(base64Texts(`x=${base64('{"a":"b","c":"dd"}')}%26y%2Fz`).map((found) => found.text)).toEqual(['{"a":"b","c":"dd"}']);
  });
});
