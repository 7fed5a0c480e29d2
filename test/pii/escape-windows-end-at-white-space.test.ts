/**
 * Text around a line break or tab written as an escape (`\n`) is scanned again as read, in a stretch
 * of 256 characters each side when the escapes are few. A stretch's edge inside a value cut it, and a part
 * was found on its own: the last 16 digits of an 18-digit order number pass the card check, so
 * `994111111111111111` was masked in part as a card. Stretches now end at white space.
 */
import { describe, expect, it } from "vitest";
import { found, patientSanitizer } from "./support.js";

const { engine } = patientSanitizer();
const ORDER = "order id 994111111111111111 ";
/** Words up to `length` characters, so that what follows starts there. */
const filler = (length: number) => "lorem ipsum dolor sit amet ".repeat(20).slice(0, length - 1) + " ";
const tail = "consectetur adipiscing elit ".repeat(80);

describe("a stretch scanned again around a line escape", () => {
  // The escape at 267: its stretch starts 256 before it, at 11, two digits into the order number.
  it("does not cut a number before it in two and find a card in it", () => {
    const escaped = String.raw`\nMaria Gonzalez signed.`;
    const text = ORDER + filler(267 - ORDER.length) + escaped + " " + tail;
    expect(text.indexOf(escaped)).toBe(267);
    expect(found(engine, text).filter(([type]) => type === "CREDIT_CARD")).toEqual([]);
    expect(found(engine, text)).toContainEqual(["PERSON", "Maria Gonzalez"]);
  });

  // Minified JSON has no white space for the edge to move to (second review).
  it("does not find a card in a number its edge cuts where no white space is near", () => {
    const text = JSON.stringify({ order_id: "994111111111111111", sku: "A".repeat(472), note: "Best,\nMaria Gonzalez" }) + " " + tail;
    expect(found(engine, text).filter(([type]) => type === "CREDIT_CARD")).toEqual([]);
    expect(found(engine, text)).toContainEqual(["PERSON", "Maria Gonzalez"]);
  });
});

describe("a long value right after a line escape in minified JSON", () => {
  // Third review: the edge drop left a URL longer than the stretch to the text as written, where `\n` glues
  // its `n` to `https`, and the URL went out in clear.
  it("is found whole although no white space is near", () => {
    const url = `https://example.com/u/maria-gonzalez/${"a1b2c3d4".repeat(100)}?token=abc`;
    const pad = "lorem ipsum dolor sit amet ".repeat(120);
    const text = JSON.stringify({ pad, a: `Link:\n${url}`, b: pad });
    expect(found(engine, text)).toContainEqual(["URL", url]);
  });
});

describe("a token of some kilobytes right after a line escape in minified JSON", () => {
  // Fourth review: cut by a stretch's edge a JWT no longer matches at all, and as written `\n` glues its `n` to `eyJ`.
  it("is found whole", () => {
    const b64u = (text: string) => Buffer.from(text).toString("base64url");
    const claims: Record<string, string> = { sub: "1234567890" };
    for (let i = 0; JSON.stringify(claims).length < 2_400; i++) claims[`c${i}`] = `${"v".repeat(40)}${i}`;
    const jwt = `${b64u('{"alg":"HS256","typ":"JWT"}')}.${b64u(JSON.stringify(claims))}.${b64u("signature-bytes-0123456789abcdef")}`;
    expect(jwt.length).toBeGreaterThan(3_000);
    const text = `{"k":"${"abcdefgh".repeat(1200)}","note":"ok\\n${jwt}"}`;
    expect(found(engine, text)).toContainEqual(["SECRET", jwt]);
  });
});
