/**
 * Credentials cut from an upstream error that echoes the request. A key read from a file keeps the file's last line break (a Kubernetes secret made with
 * `--from-file`, a Docker env file): fetch sends the header trimmed, so the key an upstream echoes has
 * none. It is still cut from the upstream's error.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { OpenAICompatibleProviderSchema } from "../../src/config/models-schema.js";
import { OpenAICompatibleProvider } from "../../src/providers/cloud/openai-provider.js";
import { startRawUpstream, type RawUpstream } from "../support/raw-upstream.js";
import { CLOUD_TEST_MODEL } from "./fixtures.js";

const KEY = "sk-from-a-file-0123456789";
const HEADER_SECRET = "cf-secret-from-a-file-42";
let upstream: RawUpstream;

beforeAll(async () => {
  upstream = await startRawUpstream((_body, res, req) =>
    res.writeHead(400, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: `bad credentials ${req.url} ${JSON.stringify(req.headers)}`, type: "invalid_request_error" } })),
  );
});
afterAll(() => upstream.close());

it("a key or header value with a trailing line break is cut from an upstream error as sent", async () => {
  const config = OpenAICompatibleProviderSchema.parse({ type: "openai_compatible", base_url: upstream.baseURL, max_retries: 0, header_env: { "cf-access-client-secret": "CF_SECRET" } });
  const provider = new OpenAICompatibleProvider({
    id: "upstream",
    config,
    baseURL: upstream.baseURL,
    apiKey: `${KEY}\n`,
    headerValues: { "cf-access-client-secret": `${HEADER_SECRET}\r\n` },
  });
  const failure = await provider
    .complete({ model: CLOUD_TEST_MODEL, request: { model: "gpt-test", messages: [{ role: "user", content: "hi" }] }, signal: new AbortController().signal } as never)
    .then(() => undefined, (error: unknown) => error as Error);
  expect(failure?.message).toContain("bad credentials");
  expect(failure?.message).not.toContain(KEY);
  expect(failure?.message).not.toContain(HEADER_SECRET);
});

it("a credential holding another is cut whole, and Azure Functions' `code` key in the query is cut", async () => {
  const KEY_PART = "sk-shared-prefix-0001";
  const LONGER = `${KEY_PART}-and-its-tail-9999`;
  const FUNCTION_KEY = "azfn-key-abcdef123456";
  const config = OpenAICompatibleProviderSchema.parse({
    type: "openai_compatible",
    base_url: upstream.baseURL,
    max_retries: 0,
    header_env: { "x-proxy-token": "PROXY_TOKEN" },
    query: { code: FUNCTION_KEY },
  });
  const provider = new OpenAICompatibleProvider({ id: "upstream", config, baseURL: upstream.baseURL, apiKey: KEY_PART, headerValues: { "x-proxy-token": LONGER } });
  const failure = await provider
    .complete({ model: CLOUD_TEST_MODEL, request: { model: "gpt-test", messages: [{ role: "user", content: "hi" }] }, signal: new AbortController().signal } as never)
    .then(() => undefined, (error: unknown) => error as Error);
  expect(failure?.message).toContain("bad credentials");
  expect(failure?.message).not.toContain("its-tail-9999");
  expect(failure?.message).not.toContain(FUNCTION_KEY);
});
