/**
 * Node reads header bytes as Latin-1, so a key with characters outside printable ASCII (`ключ-…`,
 * `café-…`) never matches what a client sends: such a key used to be accepted at start-up and then
 * answer every request with 401. Start-up now refuses it like any other invalid key, naming the
 * entry's position and never the key.
 */
import { describe, expect, it } from "vitest";
import { parseApiKeys } from "../../src/auth/api-keys.js";
import { ConfigError, parseEnv } from "../../src/config/load.js";
import { fakeCloudGateway } from "../support/gateway.js";

function configMessage(env: Record<string, string>): string {
  try {
    parseEnv(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error("expected a configuration error");
}

describe("SWITCHYARD_API_KEYS with characters outside printable ASCII", () => {
  it("are refused at start-up by position, with no part of the key", () => {
    const message = configMessage({ SWITCHYARD_API_KEYS: "acme=plain-key-1234,uni=ключ-ключ-ключ,café-key-1234" });
    expect(message).toBe(
      "environment: SWITCHYARD_API_KEYS: entry 2: the key has characters outside printable ASCII (a client's header cannot carry them)\n" +
        "environment: SWITCHYARD_API_KEYS: entry 3: the key has characters outside printable ASCII (a client's header cannot carry them)",
    );
    expect(message).not.toContain("ключ");
    expect(message).not.toContain("caf");
  });

  it("refuse a control character inside a key too", () => {
    expect(() => parseApiKeys("acme=tab\tinside-key")).toThrow(/entry 1: the key has characters outside printable ASCII/);
  });

  it("still accept printable ASCII keys, a space or punctuation inside included", () => {
    const keys = parseApiKeys("acme=my key 12345,globex=~!@#$%^&*()_+{}|:<>?");
    expect(keys.lookup("my key 12345")).toEqual({ id: "acme" });
    expect(keys.lookup("~!@#$%^&*()_+{}|:<>?")).toEqual({ id: "globex" });
  });

  it("SWITCHYARD_ADMIN_KEY outside printable ASCII is refused without echoing it", () => {
    const message = configMessage({ SWITCHYARD_ADMIN_KEY: "admin-schlüssel-0123456789" });
    expect(message).toContain("SWITCHYARD_ADMIN_KEY");
    expect(message).toContain("printable ASCII");
    expect(message).not.toContain("schl");
  });

  it("SWITCHYARD_ADMIN_KEY with spaces around it is refused: a header loses them, so it could never match", () => {
    const message = configMessage({ SWITCHYARD_ADMIN_KEY: " admin-secret-key-123456 " });
    expect(message).toContain("SWITCHYARD_ADMIN_KEY");
    expect(message).toContain("must not start or end with whitespace");
    expect(message).not.toContain("admin-secret");
  });
});

describe("a key with a space inside, over HTTP", () => {
  const cloud = fakeCloudGateway({ gateway: { env: { SWITCHYARD_API_KEYS: "acme=my key 12345" } } });

  it("authenticates, so printable ASCII is the right rule", async () => {
    const response = await fetch(`${cloud.gw.url}/v1/models`, { headers: { authorization: "Bearer my key 12345" } });
    expect(response.status).toBe(200);
  });
});
