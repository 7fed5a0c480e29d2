/**
 * Personal data written behind escapes (percent-encoding, JSON and Python escapes, HTML character
 * references) reads as the plain value to a cloud model. The engine finds it as it finds the plain
 * value and reports the span as written, escapes included, so the whole of it is rewritten; text whose
 * escapes spell no value finds nothing more than before.
 */
import { describe, expect, it } from "vitest";
import type { ChatCompletionRequest } from "../../src/api/chat-request.js";
import { canonicalValue } from "../../src/pii/canonical-value.js";
import { PseudonymVault } from "../../src/pii/index.js";
import { cloudTextOf, found, patientSanitizer } from "./support.js";

const { engine, sanitizer } = patientSanitizer();

function cloudRequest(request: ChatCompletionRequest): ChatCompletionRequest {
  const outcome = sanitizer.sanitizeForCloud(request, { vault: new PseudonymVault(), tenant: "acme" });
  if (outcome.kind !== "cloud") throw new Error(`expected a cloud request, got ${outcome.kind}`);
  return outcome.request;
}

const cloudText = (content: string) => cloudTextOf(sanitizer, content);

describe("percent-encoded values", () => {
  it.each([
    ["GET /api/users/lookup?email=ann.lee%40example.com HTTP/1.1", "EMAIL_ADDRESS", "ann.lee%40example.com"],
    ["POST /signup?tel=%2B14155550132&ok=1", "PHONE_NUMBER", "%2B14155550132"],
    ["/profile?card=4111%201111%201111%201111", "CREDIT_CARD", "4111%201111%201111%201111"],
    ["/search?who=ann.lee%2540example.com (encoded twice)", "EMAIL_ADDRESS", "ann.lee%2540example.com"],
  ])("finds in %j the %s %j", (text, type, value) => {
    expect(found(engine, text)).toEqual([[type, value]]);
  });

  it("finds an escaped value deep inside a long text, and the plain values around it", () => {
    const filler = "The quick brown fox jumps over the lazy dog. ".repeat(200);
    const text = `${filler}GET /lookup?email=ann.lee%40example.com ${filler}card 4111 1111 1111 1111`;
    expect(found(engine, text)).toEqual([
      ["EMAIL_ADDRESS", "ann.lee%40example.com"],
      ["CREDIT_CARD", "4111 1111 1111 1111"],
    ]);
  });

  it("types a hosted image's address after the value inside it, as for a raw @", () => {
    const url = "https://cdn.example.net/avatar.png?owner=ann.lee%40example.com&tel=%2B14155550132";
    expect(found(engine, url)).toEqual([["EMAIL_ADDRESS", url]]);
  });

  it("keeps a URL with ordinary escapes one URL, and finds nothing else in it", () => {
    const url = "https://example.com/search?q=hello%20world%21&path=%2Fdocs%2Fguide";
    expect(found(engine, `see ${url} now`)).toEqual([["URL", url]]);
    expect(found(engine, "GET /search?q=hello%20world&page=2%26sort HTTP/1.1")).toEqual([]);
  });
});

describe("JSON, JavaScript and Python escapes", () => {
  it.each([
    ['Parse this: {"email": "ann.lee\\u0040example.com"}', "EMAIL_ADDRESS", "ann.lee\\u0040example.com"],
    ['"{\\"email\\":\\"ann.lee\\\\u0040example.com\\"}"', "EMAIL_ADDRESS", "ann.lee\\\\u0040example.com"],
    ['print("ann.lee\\x40example.com")', "EMAIL_ADDRESS", "ann.lee\\x40example.com"],
    ['{"greeting": "Dear Jos\\u00e9 Garc\\u00eda"}', "PERSON", "Jos\\u00e9 Garc\\u00eda"],
  ])("finds in %j the %s %j", (text, type, value) => {
    expect(found(engine, text)).toEqual([[type, value]]);
  });

  it("finds nothing in text naming an escape", () => {
    expect(found(engine, "In JSON, \\u0040 is the escape for @ and \\u00e9 for é; Python writes \\x40.")).toEqual([]);
  });
});

describe("HTML character references", () => {
  it.each(["ann.lee&#64;example.com", "ann.lee&#x40;example.com", "ann.lee&commat;example.com", "ann&period;lee&commat;example&period;com"])(
    "finds the address written %j",
    (value) => {
      expect(found(engine, `<p>Contact ${value} today</p>`)).toEqual([["EMAIL_ADDRESS", value]]);
    },
  );

  it("finds a name with its accents written as entities", () => {
    expect(found(engine, "<p>Dear Jos&eacute; Garc&iacute;a,</p>")).toEqual([["PERSON", "Jos&eacute; Garc&iacute;a"]]);
  });

  it("finds nothing more in prose with &amp; and other markup", () => {
    expect(found(engine, "Tom &amp; Jerry work at R&amp;D; see AT&amp;T&#39;s terms &lt;here&gt; &nbsp;&mdash; thanks")).toEqual([]);
  });
});

describe("one value however it is escaped", () => {
  it("gets one placeholder in a conversation", () => {
    expect(cloudText("ann.lee%40example.com, ann.lee\\u0040example.com, ann.lee&#64;example.com and ann.lee@example.com")).toBe(
      "<EMAIL_ADDRESS_1>, <EMAIL_ADDRESS_1>, <EMAIL_ADDRESS_1> and <EMAIL_ADDRESS_1>",
    );
  });

  it("has one canonical spelling", () => {
    expect(canonicalValue("EMAIL_ADDRESS", "Ann.Lee%40example.com")).toBe("ann.lee@example.com");
    expect(canonicalValue("PHONE_NUMBER", "%2B1 415 555 0132")).toBe("+14155550132");
  });
});

describe("caller data holding JSON inside a string", () => {
  /** The arguments of a call as they go to the cloud. */
  const sentArguments = (args: string) =>
    (cloudRequest({
      model: "gpt-4o-mini",
      messages: [
        { role: "user", content: "go" },
        { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "http_request", arguments: args } }] },
        { role: "tool", tool_call_id: "call_1", content: "ok" },
      ],
    }).messages[1] as { tool_calls: { function: { arguments: string } }[] }).tool_calls[0]!.function.arguments;

  it("rewrites the escaped value inside and keeps both levels valid JSON", () => {
    const sent = JSON.parse(sentArguments(JSON.stringify({ method: "POST", body: '{"email":"ann.lee\\u0040example.com"}' })));
    expect(JSON.parse(sent.body)).toEqual({ email: "<EMAIL_ADDRESS_1>" });
  });

  it("reads each inner value with its own key", () => {
    const sent = JSON.parse(sentArguments(JSON.stringify({ body: JSON.stringify({ first_name: "Kwame", last_name: "Brandt", qty: 2 }) })));
    expect(JSON.parse(sent.body)).toEqual({ first_name: "<PERSON_1>", last_name: "<PERSON_2>", qty: 2 });
  });

  it("leaves inner JSON without personal data exactly as written", () => {
    const args = JSON.stringify({ body: '{ "query": "weather", "days": [1, 2] }' });
    expect(sentArguments(args)).toBe(args);
  });
});
