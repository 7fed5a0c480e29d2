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

describe("review: a misspelt key in a block mapping", () => {
  it("points at the line of the misspelt key, not the mapping's first key", () => {
    const text = [
      "version: 1", // 1
      "rules:", // 2
      "  - name: a", // 3
      "    when:", // 4
      "      tools: true", // 5
      "      promt_tokens_above: 10", // 6
      "    then:", // 7
      "      route: cloud", // 8
      "      fallback: [local]", // 9
      "default: { route: local }", // 10
      "rulez: []", // 11
    ].join("\n");
    const problems = problemsOf(`${text}\n`);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^routing\.yaml:6:7: rules\[0\]\.when: Unrecognized key: "promt_tokens_above"/),
        expect.stringMatching(/^routing\.yaml:9:7: rules\[0\]\.then: Unrecognized key: "fallback"/),
        expect.stringMatching(/^routing\.yaml:11:1: Unrecognized key: "rulez"/),
      ]),
    );
  });

  it("reports each of several misspelt keys on its own line", () => {
    const problems = problemsOf("version: 1\ndefault:\n  route: local\n  colour: red\n  size: 3\n");
    expect(problems).toEqual([
      expect.stringMatching(/^routing\.yaml:4:3: default: Unrecognized key: "colour"/),
      expect.stringMatching(/^routing\.yaml:5:3: default: Unrecognized key: "size"/),
    ]);
  });
});

