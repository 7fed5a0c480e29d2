/**
 * A request whose `Expect` header asks for something other than `100-continue` never reaches the
 * app: Node answers it. Its answer is a 417 in OpenAI's error shape that closes the connection (the
 * body was not read), not Node's empty chunked 417 that left the connection open.
 */
import http from "node:http";
import { describe, expect, it } from "vitest";
import { fakeCloudGateway } from "../support/gateway.js";

const cloud = fakeCloudGateway();

interface Answer {
  status: number | undefined;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function postWithExpect(expectation: string): Promise<Answer> {
  const { port } = new URL(cloud.gw.url);
  const body = JSON.stringify({ model: "cloud", messages: [{ role: "user", content: "hi" }] });
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: "127.0.0.1", port, method: "POST", path: "/v1/chat/completions", agent: false, headers: { "content-type": "application/json", expect: expectation } },
      (response) => {
        let text = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => (text += chunk));
        response.on("end", () => resolve({ status: response.statusCode, headers: response.headers, body: text }));
      },
    );
    request.on("error", reject);
    request.end(body);
  });
}

describe("an Expect header the gateway cannot meet", () => {
  it("is a 417 in OpenAI's error shape naming the header, and the connection closes", async () => {
    const answer = await postWithExpect("x-teapot");
    expect(answer.status).toBe(417);
    expect(answer.headers["content-type"]).toBe("application/json");
    expect(answer.headers.connection).toBe("close");
    expect(answer.headers["x-request-id"]).toBeTruthy();
    expect(JSON.parse(answer.body)).toEqual({
      error: { message: expect.stringContaining("'x-teapot'"), type: "invalid_request_error", code: "expectation_failed", param: "expect" },
    });
  });

  it("quotes a long expectation cut short", async () => {
    const answer = await postWithExpect("x".repeat(5_000));
    expect(answer.status).toBe(417);
    expect(JSON.parse(answer.body).error.message.length).toBeLessThan(300);
  });

  it("leaves 100-continue to work as before", async () => {
    const answer = await postWithExpect("100-continue");
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body).object).toBe("chat.completion");
  });
});
