/**
 * Values written behind escapes reach the cloud rewritten, like the plain values they spell: URL
 * builders write `%40` and `%2B`, JSON serializers `\u0040` and `Jos\u00e9`, HTML templates `&#64;`
 * and `&commat;`, and a cloud model reads every one of them as the value. What the fake upstream
 * receives is what left the host.
 */
import { describe, expect, it } from "vitest";
import { fakeCloudGateway, NO_FALLBACK_ROUTING, postJson } from "../support/gateway.js";

const cloud = fakeCloudGateway({ fake: { echo: true }, gateway: { files: { "routing.yaml": NO_FALLBACK_ROUTING }, waitForModels: false } });

/** The body the cloud received for `messages`, after checking the gateway answered. */
async function sentUpstream(messages: unknown[]): Promise<{ raw: string; json: Record<string, any> }> {
  cloud.fake.reset();
  const answer = await postJson(cloud.gw.url, "/v1/chat/completions", { model: "fake-gpt", messages });
  expect(answer.status).toBe(200);
  expect(cloud.fake.requests).toHaveLength(1);
  const raw = cloud.fake.requests[0]!.raw.toString("utf8");
  return { raw, json: JSON.parse(raw) };
}

const sentText = async (content: string) => (await sentUpstream([{ role: "user", content }])).json.messages[0].content as string;

describe("percent-encoded values", () => {
  it("are rewritten inside a hosted image's address, which otherwise goes out as it is", async () => {
    const url = "https://cdn.example.net/avatar.png?owner=ann.lee%40example.com&tel=%2B14155550132";
    const { raw, json } = await sentUpstream([
      { role: "user", content: [{ type: "text", text: "Who is in this picture?" }, { type: "image_url", image_url: { url } }] },
    ]);
    expect(raw).not.toContain("ann.lee%40example.com");
    expect(raw).not.toContain("14155550132");
    // An e-mail inside an address makes the address an e-mail (as for a raw `@`).
    expect(json.messages[0].content[1].image_url.url).toBe("<EMAIL_ADDRESS_1>");
  });

  it("are rewritten in a relative URL of a log line, the rest of it kept", async () => {
    expect(await sentText('Why 500? "GET /api/users/lookup?email=ann.lee%40example.com HTTP/1.1" 500')).toBe(
      'Why 500? "GET /api/users/lookup?email=<EMAIL_ADDRESS_1> HTTP/1.1" 500',
    );
  });

  it("leave an ordinary encoded image address alone", async () => {
    const url = "https://cdn.example.net/photos/summer%20holiday%20(1).png?size=large%26crop";
    const { json } = await sentUpstream([{ role: "user", content: [{ type: "text", text: "Describe it" }, { type: "image_url", image_url: { url } }] }]);
    expect(json.messages[0].content[1].image_url.url).toBe(url);
  });
});

describe("JSON escapes", () => {
  it("in message text: the escaped address is replaced where it is written", async () => {
    expect(await sentText('Parse this: {"email": "ann.lee\\u0040example.com"}')).toBe('Parse this: {"email": "<EMAIL_ADDRESS_1>"}');
  });

  it("in a name Python's json.dumps wrote with \\u escapes", async () => {
    expect(await sentText('Fix the greeting: {"greeting": "Dear Jos\\u00e9 Garc\\u00eda, welcome back"}')).toBe(
      'Fix the greeting: {"greeting": "Dear <PERSON_1>, welcome back"}',
    );
  });

  it("in tool-call arguments holding JSON inside a string: the inner value is rewritten and both levels stay valid JSON", async () => {
    const args = JSON.stringify({ method: "POST", body: '{"email":"ann.lee\\u0040example.com"}' });
    const { raw, json } = await sentUpstream([
      { role: "user", content: "Create my account" },
      { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "http_request", arguments: args } }] },
      { role: "tool", tool_call_id: "call_1", content: "201 Created" },
      { role: "user", content: "thanks" },
    ]);
    expect(raw).not.toMatch(/ann\.lee/);
    const sent = JSON.parse(json.messages[1].tool_calls[0].function.arguments);
    expect(sent.method).toBe("POST");
    expect(JSON.parse(sent.body)).toEqual({ email: "<EMAIL_ADDRESS_1>" });
  });
});

describe("HTML character references", () => {
  it("&#64; in a link and its text: both rewritten, one placeholder", async () => {
    expect(await sentText('<a href="mailto:ann.lee&#64;example.com">ann.lee&#64;example.com</a> fix this link')).toBe(
      '<a href="mailto:<EMAIL_ADDRESS_1>"><EMAIL_ADDRESS_1></a> fix this link',
    );
  });

  it("&commat; and &#x40;, and the plain address later, are one address", async () => {
    expect(await sentText("Contact ann.lee&commat;example.com or ann.lee&#x40;example.com (ann.lee@example.com)")).toBe(
      "Contact <EMAIL_ADDRESS_1> or <EMAIL_ADDRESS_1> (<EMAIL_ADDRESS_1>)",
    );
  });

  it("leave &amp; in prose as it is", async () => {
    const text = "Tom &amp; Jerry work at R&amp;D; see AT&amp;T&#39;s terms &lt;here&gt;.";
    expect(await sentText(text)).toBe(text);
  });
});
