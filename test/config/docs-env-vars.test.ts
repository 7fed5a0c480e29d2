/**
 * Users set the environment variables the docs name, letter for letter: a name the gateway does not
 * read is silently ignored, and a variable the gateway reads but no doc names cannot be found. Every
 * `SWITCHYARD_*` and `REDIS_*` variable in the user docs must be one the gateway reads (or one
 * docker-compose.yml or the shipped pii.yaml names), and every one the gateway reads must be in the docs.
 */
import { describe, expect, it } from "vitest";
import { EnvSchema } from "../../src/config/env.js";
import { ContextEnvSchema } from "../../src/context/config.js";
import { namesInDocs, readDoc } from "../support/docs-text.js";

const read = new Set([...Object.keys(EnvSchema.shape), ...Object.keys(ContextEnvSchema.shape)]);
const named = namesInDocs(/\b(?:SWITCHYARD|REDIS)_[A-Z0-9_]*[A-Z0-9]\b/g);
/** Read by something else the docs describe, which the test checks names it. */
const elsewhere: Record<string, string> = {
  SWITCHYARD_BIND: "docker-compose.yml",
  SWITCHYARD_LOCAL_MODEL_FILE: "docker-compose.yml",
  SWITCHYARD_PII_HASH_KEY: "policies/pii.yaml",
};

describe("environment variables in the docs", () => {
  it("names only variables the gateway reads", () => {
    expect(named.size).toBeGreaterThan(20);
    const unknown = [...named].filter(([name]) => !read.has(name) && !(name in elsewhere)).map(([name, doc]) => `${name} (${doc})`);
    expect(unknown).toEqual([]);
  });

  it("names each variable the gateway reads", () => {
    expect([...read].filter((name) => name.startsWith("SWITCHYARD_") || name.startsWith("REDIS_")).filter((name) => !named.has(name))).toEqual([]);
  });

  it.each(Object.entries(elsewhere))("finds %s where the docs say it is read (%s)", (name, file) => {
    expect(readDoc(file)).toContain(name);
  });
});
