/**
 * `PORT=` (set but empty, as an env file or a compose `environment:` entry leaves it) coerced to 0,
 * and the gateway listened on a random port instead of 8080, with no error. Empty numeric settings
 * must mean "not set", like an absent variable.
 */
import { envProblems } from "./env-problems.js";
import { describe, expect, it } from "vitest";
import { parseEnv } from "../../src/config/load.js";

describe("numeric environment variables set to an empty string", () => {
  it("take their default", () => {
    const env = parseEnv({ PORT: "", SWITCHYARD_BODY_LIMIT_BYTES: "", SWITCHYARD_STREAM_FLUSH_MS: "" });
    expect(env.PORT).toBe(8080);
    expect(env.SWITCHYARD_BODY_LIMIT_BYTES).toBe(4 * 1024 * 1024);
    expect(env.SWITCHYARD_STREAM_FLUSH_MS).toBe(2);
  });

  it("still accept an explicit 0 where it is allowed", () => {
    expect(parseEnv({ PORT: "0", SWITCHYARD_STREAM_FLUSH_MS: "0" })).toMatchObject({ PORT: 0, SWITCHYARD_STREAM_FLUSH_MS: 0 });
  });
});

describe("any environment variable set to an empty string", () => {
  it("counts as unset, so compose's `${SWITCHYARD_ADMIN_KEY:-}` does not stop start-up", () => {
    const env = parseEnv({ SWITCHYARD_ADMIN_KEY: "", SWITCHYARD_LOCAL_MODEL: "", OPENAI_BASE_URL: "", SWITCHYARD_DEBUG_BODIES: "" });
    expect(env.SWITCHYARD_ADMIN_KEY).toBeUndefined();
    expect(env.SWITCHYARD_LOCAL_MODEL).toBeUndefined();
    expect(env.OPENAI_BASE_URL).toBeUndefined();
    expect(env.SWITCHYARD_DEBUG_BODIES).toBe(false);
  });

  it("still refuses a short admin key that is set", () => {
    expect(() => parseEnv({ SWITCHYARD_ADMIN_KEY: "short" })).toThrow(/SWITCHYARD_ADMIN_KEY/);
  });
});

describe("a number variable that is not one", () => {
  // zod's own message, "expected number, received NaN", named no expectation.
  it("says what the variable must be", () => {
    const problems = envProblems;
    expect(problems({ PORT: "abc" })).toEqual(["PORT: must be a whole number from 0 to 65535"]);
    expect(problems({ PORT: "70000" })).toEqual(["PORT: must be a whole number from 0 to 65535"]);
    expect(problems({ SWITCHYARD_BODY_LIMIT_BYTES: "1.5" })).toEqual(["SWITCHYARD_BODY_LIMIT_BYTES: must be a whole number ≥ 1"]);
    expect(problems({ SWITCHYARD_STREAM_FLUSH_MS: "soon" })).toEqual(["SWITCHYARD_STREAM_FLUSH_MS: must be a number from 0 to 100"]);
  });
});
