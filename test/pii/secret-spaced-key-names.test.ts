/**
 * What a user noticed: "Here is my API key: 3f9a…", "my secret key is 9f8e…" and "My private key is
 * 5Kb8…" produced no finding, so the key went to the cloud in clear, while "api_key=" and "client
 * secret:" were caught. Key names written as two words ("API key", "access key", "private key",
 * "secret key") are key names too.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { createPiiEngine, type PiiEngine } from "../../src/pii/index.js";
import { defaultPolicy, valuesOf } from "./support.js";

let engine: PiiEngine;
beforeAll(() => {
  engine = createPiiEngine(defaultPolicy());
});

const secrets = (text: string) => valuesOf(engine, "SECRET", text);

describe("SECRET after a key name written as two words", () => {
  it.each([
    ["Here is my API key: 3f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c", "3f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c"],
    ["The API key is 3f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c, please check why it fails", "3f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c"],
    ["my secret key is 9f8e7d6c5b4a3928", "9f8e7d6c5b4a3928"],
    ["secret key: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"],
    ["My private key is 5Kb8kLf9zgWQnogidDA76MzPL6TsZZY36hWXMssSzNydYXYB9KF", "5Kb8kLf9zgWQnogidDA76MzPL6TsZZY36hWXMssSzNydYXYB9KF"],
    ["Access key: q8Zr2LmX0pWvT5sN", "q8Zr2LmX0pWvT5sN"],
    ["The token is: a1b2c3d4e5f6a7b8", "a1b2c3d4e5f6a7b8"],
  ])("finds it in %j", (text, value) => {
    expect(secrets(text)).toEqual([value]);
  });

  it.each([
    "The API key is required for every request.",
    "Your secret key is stored encrypted at rest.",
    "A private key is generated on first start.",
    "The API key is: see the dashboard",
  ])("finds none in %j", (text) => {
    expect(secrets(text)).toEqual([]);
  });
});
