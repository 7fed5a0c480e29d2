/**
 * An upstream error body that quotes the provider's key JSON-escaped (PHP writes "/" as "\/", Go
 * writes "&" as "\u0026") or URL-encoded still has it removed: the SDK parses the body, so an escape
 * the redaction did not look for handed the plain key to the client and the logs.
 */
import { describe, expect, it } from "vitest";
import { openAIShapedErrors } from "../../src/providers/cloud/error-body.js";

const KEY = "ak/Secret+Key&0123==";

async function through(body: string, contentType = "application/json"): Promise<string> {
  const upstream = (async () => new Response(body, { status: 401, headers: { "content-type": contentType } })) as typeof fetch;
  const response = await openAIShapedErrors(upstream, { secrets: [KEY] })("http://upstream.test/v1/chat/completions");
  return response.text();
}

/** What a client or log line would read from the body, escapes undone as the SDK's JSON.parse does. */
const read = (text: string) => JSON.stringify(JSON.parse(text));

describe("an upstream error quoting the key in an escaped form", () => {
  it.each([
    ["'/' escaped as '\\/' (PHP)", JSON.stringify({ error: { message: `bad key ${KEY}` } }).replaceAll("/", "\\/")],
    ["'&' escaped as '\\u0026' (Go)", JSON.stringify({ error: { message: `bad key ${KEY}` } }).replaceAll("&", "\\u0026")],
    ["worded another server's way, '/' escaped", JSON.stringify({ detail: `bad key ${KEY}` }).replaceAll("/", "\\/")],
  ])("%s: the key is redacted", async (_what, body) => {
    const text = await through(body);
    expect(read(text)).not.toContain(KEY);
    expect(read(text)).toContain("bad key [redacted]");
  });

  it("URL-encoded in a page that is not JSON: the key is redacted", async () => {
    const text = await through(`<p>GET /proxy?key=${encodeURIComponent(KEY)} refused</p>`, "text/html");
    expect(text).not.toContain(encodeURIComponent(KEY));
    expect(text).toContain("key=[redacted]");
  });

  it("a key quoted plainly is still redacted, and a body without it is left as it was", async () => {
    expect(await through(JSON.stringify({ error: { message: `bad key ${KEY}` } }))).not.toContain(KEY);
    const clean = JSON.stringify({ error: { message: "slow down \\/ \\u0026", type: "rate_limit" } });
    expect(await through(clean)).toBe(clean);
  });
});
