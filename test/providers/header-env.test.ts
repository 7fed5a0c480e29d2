/**
 * `header_env` in models.yaml: headers whose values come from the environment. A provider missing one
 * cannot be called and says which variable is unset, as one missing its API key does; the file
 * refuses a header given twice or one that would carry the API key.
 */
import { describe, expect, it } from "vitest";
import { OpenAICompatibleProviderSchema } from "../../src/config/models-schema.js";
import { OpenAICompatibleProvider } from "../../src/providers/cloud/openai-provider.js";
import { credentialsFrom, unconfiguredProviders } from "../../src/providers/unconfigured.js";

const provider = (extra: object) => OpenAICompatibleProviderSchema.safeParse({ type: "openai_compatible", base_url: "http://127.0.0.1:9/v1", ...extra });

describe("a provider with header_env", () => {
  const config = provider({ api_key_env: "ORG_KEY", header_env: { "cf-access-client-id": "CF_ID", "cf-access-client-secret": "CF_SECRET" } }).data!;

  it("cannot be called while a variable is unset, naming each unset one", () => {
    expect(unconfiguredProviders({ org: config }, { ORG_KEY: "k", CF_ID: "id" })).toEqual({ org: "CF_SECRET is not set" });
    expect(unconfiguredProviders({ org: config }, { ORG_KEY: "k", CF_ID: "", CF_SECRET: undefined })).toEqual({ org: "CF_ID and CF_SECRET are not set" });
    expect(unconfiguredProviders({ org: config }, { ORG_KEY: "k", CF_ID: "id", CF_SECRET: "s" })).toBeUndefined();
  });

  it("reports itself unavailable with the same reason", () => {
    const env = { ORG_KEY: "k", CF_ID: "id" };
    const p = new OpenAICompatibleProvider({ id: "org", config, baseURL: config.base_url!, apiKey: "k", headerValues: credentialsFrom(config, env).headerValues });
    expect(p.status()).toMatchObject({ state: "unavailable", detail: expect.stringContaining("CF_SECRET is not set") });
  });
});

describe("models.yaml refuses", () => {
  it("a header in both headers and header_env", () => {
    const r = provider({ headers: { "X-Org": "acme" }, header_env: { "x-org": "ORG" } });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]).toMatchObject({ path: ["header_env", "x-org"], message: expect.stringContaining("in headers too") });
  });

  it("the API key's header in header_env, pointing to api_key_env", () => {
    for (const extra of [{ header_env: { Authorization: "TOKEN" } }, { api_key_env: "K", api_key_header: "api-key", header_env: { "API-Key": "K2" } }]) {
      const r = provider(extra);
      expect(r.success).toBe(false);
      expect(r.error?.issues[0]?.message).toContain("api_key_env");
    }
  });

  it("a variable name that is not one", () => {
    expect(provider({ header_env: { "x-org": "org-key" } }).success).toBe(false);
  });
});
