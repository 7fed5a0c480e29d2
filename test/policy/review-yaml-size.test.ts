/**
 * Review: every bad routing.yaml is reported as `file:line:col: path: message` (a ConfigError), never as
 * a bare exception — including YAML that expands aliases without end and misspelt keys below the first
 * line of a block mapping.
 */
import { describe, expect, it } from "vitest";
import { ConfigError, formatProblem } from "../../src/config/yaml-file.js";
import { compileRoutingText } from "../../src/policy/load.js";
import { catalog, INTENTS } from "./support.js";

function problemsOf(text: string): string[] {
  try {
    compileRoutingText({ file: "routing.yaml", text, catalog: catalog(), intents: INTENTS });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map(formatProblem);
    throw error;
  }
  throw new Error("expected the policy to be rejected");
}

describe("review: a huge policy file", () => {
  it("is refused with its size before parsing (parsing blocks the event loop that serves requests)", () => {
    const rules = Array.from({ length: 30_000 }, (_, i) => `  - { name: r${i}, when: { tenant: t${i} }, then: { route: cloud } }`);
    const text = `version: 1\ndefault: { route: local }\nrules:\n${rules.join("\n")}\n`;
    const started = performance.now();
    const problems = problemsOf(text);
    expect(problems).toEqual([expect.stringMatching(/^routing\.yaml: file is \d+ bytes; policy files may be at most \d+ bytes/)]);
    expect(performance.now() - started).toBeLessThan(500);
  });
});
