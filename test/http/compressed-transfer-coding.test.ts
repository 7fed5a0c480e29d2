/**
 * A body compressed as a transfer coding (`Transfer-Encoding: gzip, chunked`) reaches the gateway
 * still compressed: Node's parser removes only `chunked`. It is refused like a `Content-Encoding: gzip`
 * body, with a 415 that says why, not a 400 "not valid UTF-8" about bytes the client never wrote.
 */
import { connect } from "node:net";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { fakeCloudGateway } from "../support/gateway.js";

const cloud = fakeCloudGateway();

/** Sends `head` and `body` (as one chunk) on a raw connection and reads the first answer. */
function sendChunked(head: string, body: Buffer): Promise<{ statusLine: string; headers: string; body: string }> {
  const { port } = new URL(cloud.gw.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), "127.0.0.1", () => {
      socket.write(head);
      socket.write(`${body.length.toString(16)}\r\n`);
      socket.write(body);
      socket.write("\r\n0\r\n\r\n");
    });
    let text = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      text += chunk;
      const split = text.indexOf("\r\n\r\n");
      const length = /content-length: (\d+)/i.exec(text.slice(0, split));
      if (split < 0 || !length || text.length < split + 4 + Number(length[1])) return;
      socket.destroy();
      const [statusLine = "", ...headers] = text.slice(0, split).split("\r\n");
      resolve({ statusLine, headers: headers.join("\n").toLowerCase(), body: text.slice(split + 4, split + 4 + Number(length[1])) });
    });
    socket.on("error", reject);
  });
}

const chat = JSON.stringify({ model: "cloud", messages: [{ role: "user", content: "hi" }] });
const head = (transferEncoding: string) =>
  `POST /v1/chat/completions HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\nTransfer-Encoding: ${transferEncoding}\r\n\r\n`;

describe("a request body with a compressing transfer coding", () => {
  it("is refused with a 415 naming the coding, and nothing goes upstream", async () => {
    cloud.fake.reset();
    const answer = await sendChunked(head("gzip, chunked"), gzipSync(chat));
    expect(answer.statusLine).toBe("HTTP/1.1 415 Unsupported Media Type");
    const error = (JSON.parse(answer.body) as { error: { message: string; type: string; code: string } }).error;
    expect(error).toMatchObject({ type: "invalid_request_error", code: "unsupported_content_encoding" });
    expect(error.message).toContain("Transfer-Encoding: gzip");
    expect(cloud.fake.requests).toHaveLength(0);
  });

  it("leaves plain chunked bodies alone", async () => {
    const answer = await sendChunked(head("chunked"), Buffer.from(chat));
    expect(answer.statusLine).toBe("HTTP/1.1 200 OK");
    expect(JSON.parse(answer.body)).toMatchObject({ object: "chat.completion" });
  });
});
