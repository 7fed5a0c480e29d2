/**
 * A URL percent-encoded into a query parameter ends where the parameter does: decoded, it ran on over
 * the raw parameters after it (`&response_type=code&scope=openid`), which the placeholder then covered.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { createPiiEngine, createSanitizer, type Sanitizer } from "../../src/pii/index.js";
import { cloudTextOf, patientPolicy } from "./support.js";

let sanitizer: Sanitizer;
beforeAll(() => {
  const policy = patientPolicy();
  sanitizer = createSanitizer({ policy, engine: createPiiEngine(policy), env: {} });
});

const cloudText = (content: string) => cloudTextOf(sanitizer, content);

describe("a URL decoded from a query parameter", () => {
  it("ends at the next raw parameter", () => {
    expect(
      cloudText("GET /oauth/authorize?client_id=abc123&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcb&response_type=code&scope=openid%20profile"),
    ).toBe("GET /oauth/authorize?client_id=abc123&redirect_uri=<URL_1>&response_type=code&scope=openid%20profile");
  });

  it("ends at a raw quote", () => {
    expect(cloudText('{"next": "https%3A%2F%2Fapp.example.com%2Fcb", "x": 1}')).toBe('{"next": "<URL_1>", "x": 1}');
  });

  it("leaves names and addresses whose escapes sit beside raw spaces whole", () => {
    expect(cloudText('{"greeting": "Dear Jos\\u00e9 Garc\\u00eda, welcome"}')).toBe('{"greeting": "Dear <PERSON_1>, welcome"}');
    expect(cloudText("GET /lookup?email=ann.lee%40example.com&x=1")).toBe("GET /lookup?email=<EMAIL_ADDRESS_1>&x=1");
  });
});
