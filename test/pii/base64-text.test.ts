/**
 * base64 that says it holds text is read decoded: `data:` URIs of text types, base64 JSON (`eyJ…` is
 * `{"`: a JWT's payload pasted alone, a blob in a log line, an OAuth `state`) and a mail part declared
 * `Content-Transfer-Encoding: base64`. A model decodes such
 * base64 on request, so the address inside `data:text/plain;base64,…` went to the cloud in the clear.
 * A finding inside base64 is the base64 whole: it is rewritten whole, and restores as written. Whole
 * JWTs and Basic credentials are secrets as written (blocked), and other base64 is not decoded.
 */
import { describe, expect, it } from "vitest";
import { base64Texts } from "../../src/pii/decode-base64.js";
import { PseudonymVault, restore } from "../../src/pii/index.js";
import { cloudTextOf, cloudTextOrKind, found, patientSanitizer } from "./support.js";

const { engine, sanitizer } = patientSanitizer();

const base64 = (text: string) => Buffer.from(text).toString("base64");
const base64url = (text: string) => Buffer.from(text).toString("base64url");
const claims = '{"sub":"8412","email":"ann.lee@example.com","name":"Maria Gonzalez","exp":1767225600}';
const jwt = `${base64url('{"alg":"HS256","typ":"JWT"}')}.${base64url(claims)}.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c`;

describe("base64 that holds text", () => {
  it("a data: URI of plain text is rewritten whole", () => {
    const payload = base64("Contact Maria Gonzalez at maria.gonzalez@example.com");
    const text = cloudTextOf(sanitizer, `What does data:text/plain;base64,${payload} say?`);
    expect(text).toMatch(/^What does data:text\/plain;base64,<(PERSON|EMAIL_ADDRESS)_1> say\?$/);
  });

  it("a data: URI of JSON in an HTML attribute", () => {
    const payload = base64('{"email":"ann.lee@example.com","plan":"pro"}');
    expect(cloudTextOf(sanitizer, `<a href="data:application/json;charset=utf-8;base64,${payload}">export</a>`)).toBe(
      '<a href="data:application/json;charset=utf-8;base64,<EMAIL_ADDRESS_1>">export</a>',
    );
  });

  it("a JWT's payload pasted alone", () => {
    expect(cloudTextOf(sanitizer, `Why is this claim set rejected? ${base64url(claims)}`)).toMatch(/^Why is this claim set rejected\? <(PERSON|EMAIL_ADDRESS)_1>$/);
  });

  it("a base64 JSON blob in a log line, and an OAuth state in a query", () => {
    const blob = base64('{"user":"ann.lee@example.com","action":"login"}');
    expect(cloudTextOf(sanitizer, `2024-05-01T10:00:00Z INFO payload=${blob} ok`)).toBe("2024-05-01T10:00:00Z INFO payload=<EMAIL_ADDRESS_1> ok");
    const state = base64url('{"return_to":"/home","email":"ann.lee@example.com"}');
    expect(cloudTextOf(sanitizer, `GET /callback?state=${state}&code=abc123 HTTP/1.1`)).toBe("GET /callback?state=<EMAIL_ADDRESS_1>&code=abc123 HTTP/1.1");
  });

  it("a mail part that says it is base64", () => {
    const body = base64("Hello,\nthis is Kwame Brandt, my new number is +1 415 867 2231.\nBest").replace(/.{1,76}/g, "$&\n");
    const mail = `Subject: new number\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n${body}\nWhat does it say?`;
    const text = cloudTextOf(sanitizer, mail);
    expect(text).toMatch(/Content-Transfer-Encoding: base64\n\n<(PERSON|PHONE_NUMBER)_1>\n\nWhat does it say\?$/);
  });

  it("restores as the base64 it was written as", () => {
    const blob = base64('{"user":"ann.lee@example.com"}');
    const vault = new PseudonymVault();
    expect(cloudTextOf(sanitizer, `payload=${blob}`, vault)).toBe("payload=<EMAIL_ADDRESS_1>");
    expect(restore("<EMAIL_ADDRESS_1>", vault)).toBe(blob);
  });
});

describe("base64 that is already a secret stays one", () => {
  it("a whole JWT is blocked as a SECRET, not pseudonymized as what its payload holds", () => {
    expect(found(engine, `Debug this token: ${jwt}`)).toEqual([["SECRET", jwt]]);
    expect(cloudTextOrKind(sanitizer, `Debug this token: ${jwt}`)).toBe("blocked");
  });

  it("Basic credentials are blocked", () => {
    expect(cloudTextOrKind(sanitizer, `curl -H "Authorization: Basic ${base64("kwame:Sup3rS3cret!")}" https://api.example.com`)).toBe("blocked");
  });
});

describe("other base64 stays as written", () => {
  it.each([
    ["base64 without a data: URI or JSON", `${base64("Contact Maria Gonzalez at maria.gonzalez@example.com")} is some base64`],
    ["an image data URI", `data:image/png;base64,${base64("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR binary")}`],
    ["JSON-like base64 that decodes to bytes", "token eyJ/////////////////////////8= here"],
    ["words that start like base64 JSON", "the ewok and eyJunk words, W3siwords"],
    ["padding", "YQ== and ZGF0YQ== are a and data in base64"],
    ["a mail attachment", `Content-Type: image/png\nContent-Transfer-Encoding: base64\n\n${base64("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR binary")}\n`],
  ])("%s", (_name, text) => {
    expect(base64Texts(text)).toEqual([]);
    expect(found(engine, text)).toEqual([]);
  });
});

describe("base64Texts", () => {
  it("finds the payload of a text data URI, a base64 mail body and base64 JSON, in either alphabet, padded or not", () => {
    const payload = base64("hi Ann");
    const json = base64url('{"a":"b?c>d","e":1}');
    const body = `${base64("a".repeat(57))}\n${base64("bcd")}`;
    const text = `x data:;base64,${payload} y ${json} z\ncontent-transfer-encoding: BASE64\nX-Id: 1\n\n${body}\n\n--b--`;
    expect(base64Texts(text).map((found) => [text.slice(found.start, found.end), found.text])).toEqual([
      [payload, "hi Ann"],
      [json, '{"a":"b?c>d","e":1}'],
      [body, `${"a".repeat(57)}bcd`],
    ]);
  });

  it("leaves a JWT's segments to the SECRET recognizer", () => {
    expect(base64Texts(`Bearer ${jwt}`)).toEqual([]);
  });
});
