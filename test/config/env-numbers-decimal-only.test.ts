/**
 * A number variable is read from decimal digits only. `Number()` turns a blank value into 0, so
 * `PORT=" "` (an env file's `PORT= ` with a trailing space) listened on a random port with no error,
 * and it reads `0x1F91` and `1e4` as 8081 and 10000: a gateway on a port nobody wrote down.
 */
import { describe, expect, it } from "vitest";
import { parseEnv } from "../../src/config/load.js";
import { resolveContextConfig } from "../../src/context/config.js";
import type { ConfigError } from "../../src/config/yaml-file.js";

function problems(read: () => unknown): string[] {
  try {
    read();
    return [];
  } catch (error) {
    return (error as ConfigError).problems.map((problem) => `${problem.path}: ${problem.message}`);
  }
}

describe("a number environment variable", () => {
  it.each([" ", "\t", "0x1F91", "1e4", "8080abc", "80 80"])("PORT=%j stops start-up naming PORT", (value) => {
    expect(problems(() => parseEnv({ PORT: value }))).toEqual(["PORT: must be a whole number from 0 to 65535"]);
  });

  it("refuses a blank or hexadecimal value for the other whole-number variables too", () => {
    expect(problems(() => parseEnv({ SWITCHYARD_POLICY_POLL_MS: " ", SWITCHYARD_BODY_LIMIT_BYTES: "0x100000" }))).toEqual([
      "SWITCHYARD_BODY_LIMIT_BYTES: must be a whole number ≥ 1",
      "SWITCHYARD_POLICY_POLL_MS: must be a whole number of milliseconds from 0 to 2147483647 (about 24.8 days, the longest wait a timer holds)",
    ]);
  });

  it("refuses a blank or exponent value for a fractional one", () => {
    expect(problems(() => parseEnv({ SWITCHYARD_STREAM_FLUSH_MS: " " }))).toEqual(["SWITCHYARD_STREAM_FLUSH_MS: must be a number from 0 to 100"]);
    expect(problems(() => parseEnv({ SWITCHYARD_STREAM_FLUSH_MS: "1e1" }))).toEqual(["SWITCHYARD_STREAM_FLUSH_MS: must be a number from 0 to 100"]);
  });

  it("refuses a hexadecimal context limit (0x10 was read as 16 seconds)", () => {
    expect(problems(() => resolveContextConfig({ SWITCHYARD_CONTEXT_TTL_SECONDS: "0x10" }))).toEqual([
      "SWITCHYARD_CONTEXT_TTL_SECONDS: must be a whole number ≥ 1",
    ]);
  });

  it("still reads decimal digits, with spaces around them, a sign and a fraction where allowed", () => {
    expect(parseEnv({ PORT: " 9090 ", SWITCHYARD_POLICY_POLL_MS: "+0", SWITCHYARD_STREAM_FLUSH_MS: "2.5" })).toMatchObject({
      PORT: 9090,
      SWITCHYARD_POLICY_POLL_MS: 0,
      SWITCHYARD_STREAM_FLUSH_MS: 2.5,
    });
    expect(parseEnv({ SWITCHYARD_STREAM_FLUSH_MS: ".5" }).SWITCHYARD_STREAM_FLUSH_MS).toBe(0.5);
  });
});
