import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createPiiEngine, parsePiiPolicy, type PiiEngine, type PiiPolicy } from "../../src/pii/index.js";

export const DEFAULT_POLICY_PATH = fileURLToPath(new URL("../../policies/pii.yaml", import.meta.url));
export const defaultPolicyText = readFileSync(DEFAULT_POLICY_PATH, "utf8");

export function defaultPolicy(): PiiPolicy {
  return parsePiiPolicy(defaultPolicyText, DEFAULT_POLICY_PATH);
}

/** The default policy with some top-level sections replaced, as the YAML would say it. */
export function policyWith(overrides: Partial<PiiPolicy>): PiiPolicy {
  return { ...defaultPolicy(), ...overrides };
}

/** `[type, matched text]` pairs, the readable form of a scan for assertions. */
export function found(engine: PiiEngine, text: string): [string, string][] {
  return engine.scan(text).map((e) => [e.type, text.slice(e.start, e.end)]);
}
