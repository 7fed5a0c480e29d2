import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createPiiEngine, createSanitizer, parsePiiPolicy, PseudonymVault, type CloudOutcome, type PiiEngine, type PiiPolicy, type Sanitizer } from "../../src/pii/index.js";
import type { Recognizer } from "../../src/pii/recognizers/recognizer.js";

export const DEFAULT_POLICY_PATH = fileURLToPath(new URL("../../policies/pii.yaml", import.meta.url));
export const defaultPolicyText = readFileSync(DEFAULT_POLICY_PATH, "utf8");

export function defaultPolicy(): PiiPolicy {
  return parsePiiPolicy(defaultPolicyText, DEFAULT_POLICY_PATH);
}

/** The default policy with some top-level sections replaced, as the YAML would say it. */
export function policyWith(overrides: Partial<PiiPolicy>): PiiPolicy {
  return { ...defaultPolicy(), ...overrides };
}

/**
 * The shipped policy with a scan budget a cold, busy test worker cannot overrun: for tests about what
 * is detected, where a spent budget would fail closed instead of showing it.
 */
export function patientPolicy(): PiiPolicy {
  return policyWith({ scan: { ...defaultPolicy().scan, budget_ms: 10_000 } });
}

/** The PII engine and a cloud sanitizer on `patientPolicy()`, shared by a test file's cases. */
export function patientSanitizer(): { engine: PiiEngine; sanitizer: Sanitizer } {
  const policy = patientPolicy();
  const engine = createPiiEngine(policy);
  return { engine, sanitizer: createSanitizer({ policy, engine, env: {} }) };
}

/** One user message sanitized for the cloud, with a fresh vault unless one is given. */
export function userMessageForCloud(sanitizer: Sanitizer, content: string, vault = new PseudonymVault(), tenant = "acme"): CloudOutcome {
  return sanitizer.sanitizeForCloud({ model: "gpt-4o-mini", messages: [{ role: "user", content }] }, { vault, tenant });
}

/** The user message as the cloud model receives it; throws when it is not sent. */
export function cloudTextOf(sanitizer: Sanitizer, content: string, vault?: PseudonymVault): string {
  const outcome = userMessageForCloud(sanitizer, content, vault);
  if (outcome.kind !== "cloud") throw new Error(`expected a cloud request, got ${outcome.kind}`);
  return outcome.request.messages[0]!.content as string;
}

/** The user message as the cloud model receives it, or the outcome's kind when it is not sent. */
export function cloudTextOrKind(sanitizer: Sanitizer, content: string, vault?: PseudonymVault): string {
  const outcome = userMessageForCloud(sanitizer, content, vault);
  return outcome.kind === "cloud" ? (outcome.request.messages[0]!.content as string) : outcome.kind;
}

/** `[type, matched text]` pairs, the readable form of a scan for assertions. */
export function found(engine: PiiEngine, text: string): [string, string][] {
  return engine.scan(text).map((e) => [e.type, text.slice(e.start, e.end)]);
}

/** The values `engine` finds in `text` as `type`, in order. */
export function valuesOf(engine: PiiEngine, type: string, text: string): string[] {
  return found(engine, text).flatMap(([found, value]) => (found === type ? [value] : []));
}

/** How many texts `engine`'s recognizers really scanned from now on (the first one runs on every real scan). */
export function countScans(engine: PiiEngine): { readonly count: number } {
  const first = engine.recognizers[0] as Recognizer & { scan: Recognizer["scan"] };
  const original = first.scan.bind(first);
  const counter = { count: 0 };
  first.scan = (text, out, deadline) => {
    counter.count++;
    original(text, out, deadline);
  };
  return counter;
}
