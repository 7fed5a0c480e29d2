/**
 * Credentials a provider sends besides its API key — a header whose value comes from the
 * environment (`header_env`, e.g. Cloudflare Access's client secret), a credential written in
 * `headers` or `query` (`x-api-key`, an Azure SAS `sig`) — reach the upstream, and never a client
 * or the logs through an upstream error that echoes the request it received.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { describe, expect, it } from "vitest";
import { chatAndLogs } from "../support/chat-and-logs.js";
import { testModelsYaml, upstreamGateway } from "../support/gateway.js";
import { startRawUpstream } from "../support/raw-upstream.js";
import { NO_FALLBACK_ROUTING } from "../support/routing-fixtures.js";

const ENV_SECRET = "cf-secret-0123456789abcdef";
const HEADER_SECRET = "literal-header-key-98765";
const QUERY_SECRET = "sas-signature-5555aaaa";

let answer: (res: ServerResponse, req: IncomingMessage) => void = () => undefined;

const withCredentials = (yaml: string) =>
  yaml.replace(
    "    api_key_env: FAKE_CLOUD_KEY\n",
    `    api_key_env: FAKE_CLOUD_KEY
    header_env: { cf-access-client-secret: CF_ACCESS_SECRET }
    headers: { x-api-key: ${HEADER_SECRET}, x-team: ml-platform-team }
    query: { sig: ${QUERY_SECRET}, api-version: 2024-10-21 }
`,
  );

const cloud = upstreamGateway(() => startRawUpstream((_body, res, req) => answer(res, req)), {
  modelsYaml: (upstream) => withCredentials(testModelsYaml({ cloudBaseURL: upstream.baseURL, maxRetries: 0 })),
  gateway: { env: { CF_ACCESS_SECRET: ENV_SECRET }, files: { "routing.yaml": NO_FALLBACK_ROUTING }, waitForModels: false },
});

describe("a provider's credentials besides its API key", () => {
  it("are sent upstream: the header from the environment, the written header and query", async () => {
    let seen: IncomingMessage | undefined;
    answer = (res, req) => {
      seen = req;
      res.writeHead(200, { "content-type": "application/json" }).end(
        JSON.stringify({ id: "c1", object: "chat.completion", created: 1, model: "upstream-gpt", choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop" }] }),
      );
    };
    const r = await chatAndLogs(cloud.gw);
    expect(r.status).toBe(200);
    expect(seen?.headers["cf-access-client-secret"]).toBe(ENV_SECRET);
    expect(seen?.headers["x-api-key"]).toBe(HEADER_SECRET);
    expect(seen?.url).toContain(`sig=${QUERY_SECRET}`);
  });

  it("are cut from an upstream error that echoes the request", async () => {
    answer = (res, req) =>
      res.writeHead(500, { "content-type": "application/json" }).end(
        JSON.stringify({ error: { message: `proxy failed on ${req.url} with ${JSON.stringify(req.headers)}`, type: "server_error" } }),
      );
    const r = await chatAndLogs(cloud.gw);
    expect(r.status).toBe(502);
    expect(r.text).toContain("proxy failed on");
    // The 502's error line, with the upstream's message: what must not carry the secrets.
    expect(r.logs).toContain("proxy failed on");
    // A header that is no credential by its name is left as written: the message still says what was sent.
    expect(r.text).toContain("ml-platform-team");
    for (const secret of [ENV_SECRET, HEADER_SECRET, QUERY_SECRET]) {
      expect(r.text).not.toContain(secret);
      expect(r.logs).not.toContain(secret);
    }
  });
});
