/**
 * HOST is checked at start-up: an address with a port, a scheme or brackets, or a mistyped IP, used to
 * pass (any non-empty text), and the gateway loaded its models and policies and then died at bind
 * time with `Error: getaddrinfo ENOTFOUND 0.0.0.0:8080` and a stack trace that named no variable.
 */
import { describe, expect, it } from "vitest";
import { parseEnv } from "../../src/config/load.js";
import { envProblems } from "./env-problems.js";

const problems = envProblems;

const REFUSED = "HOST: must be an IP address (127.0.0.1, 0.0.0.0, ::) or a host name, without a scheme, brackets or port (the port is PORT)";

describe("HOST", () => {
  it.each(["0.0.0.0:8080", "http://0.0.0.0", "[::1]", "bad host", "999.1.1.1", "1.2.3", "8080", "-gateway", "gate..way", " "])(
    "%j stops start-up naming HOST",
    (host) => {
      expect(problems({ HOST: host })).toEqual([REFUSED]);
    },
  );

  it.each(["127.0.0.1", "0.0.0.0", "::", "::1", "fe80::1%eth0", "localhost", "gateway.internal", "my_service", "host-1.example.com."])("accepts %j", (host) => {
    expect(parseEnv({ HOST: host }).HOST).toBe(host);
  });
});
