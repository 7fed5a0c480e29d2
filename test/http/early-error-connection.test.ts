/**
 * A request refused before its body was read (a chunked body over the size limit) left the
 * connection in a state the server then cut: the 413 said `connection: keep-alive`, so a keep-alive
 * client sent its next request on that socket and got "socket hang up". Such answers now say
 * `Connection: close`, and the client's next request goes out on a fresh connection.
 */
import http from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { fakeCloudGateway } from "../support/gateway.js";

const LIMIT = 64 * 1024;
const cloud = fakeCloudGateway({ gateway: { env: { SWITCHYARD_BODY_LIMIT_BYTES: String(LIMIT) } } });

const agents: http.Agent[] = [];
afterEach(() => {
  for (const agent of agents.splice(0)) agent.destroy();
});

interface Answer {
  status?: number;
  connection?: string;
  body?: string;
  error?: string;
}

/** POSTs `body` to /v1/route through `agent`, chunked (no Content-Length) unless `declareLength`. */
function post(agent: http.Agent, body: string, declareLength: boolean): Promise<Answer> {
  const { port } = new URL(cloud.gw.url);
  return new Promise((resolve) => {
    const headers: Record<string, string | number> = { "content-type": "application/json" };
    if (declareLength) headers["content-length"] = Buffer.byteLength(body);
    const request = http.request({ host: "127.0.0.1", port, agent, method: "POST", path: "/v1/route", headers }, (response) => {
      let text = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (text += chunk));
      response.on("end", () => resolve({ status: response.statusCode, connection: response.headers.connection, body: text }));
    });
    request.on("error", (error) => resolve({ error: error.message }));
    for (let i = 0; i < body.length; i += 16 * 1024) request.write(body.slice(i, i + 16 * 1024));
    request.end();
  });
}

const tooBig = JSON.stringify({ model: "fake-gpt", messages: [{ role: "user", content: "x".repeat(LIMIT * 8) }] });
const fine = JSON.stringify({ model: "fake-gpt", messages: [{ role: "user", content: "hi" }] });

describe("a body refused before it was read", () => {
  for (const declareLength of [false, true]) {
    const kind = declareLength ? "with Content-Length" : "chunked";
    it(`${kind}: the 413 closes the connection and the keep-alive client's next request succeeds`, async () => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      agents.push(agent);
      const first = await post(agent, tooBig, declareLength);
      expect(first.status).toBe(413);
      expect(JSON.parse(first.body!).error.code).toBe("request_too_large");
      expect(first.connection).toBe("close");
      await new Promise((resolve) => setTimeout(resolve, 50));
      const second = await post(agent, fine, true);
      expect(second.error).toBeUndefined();
      expect(second.status).toBe(200);
    });
  }

  it("a request whose body was read keeps its connection alive", async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    agents.push(agent);
    const first = await post(agent, fine, false);
    expect(first.status).toBe(200);
    expect(first.connection).toBe("keep-alive");
  });
});
