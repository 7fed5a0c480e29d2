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

describe("review: YAML that expands aliases without end (billion laughs)", () => {
  it("is a ConfigError naming the file, not a bare ReferenceError", () => {
    const levels = ["a: &a [x, x, x, x, x, x, x, x, x]"];
    for (const [prev, next] of [["a", "b"], ["b", "c"], ["c", "d"], ["d", "e"], ["e", "f"]]) {
      levels.push(`${next}: &${next} [${Array(9).fill(`*${prev}`).join(", ")}]`);
    }
    const problems = problemsOf(`version: 1\n${levels.join("\n")}\ndefault: { route: local }\n`);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^routing\.yaml(:\d+:\d+)?: .*alias/i);
  });
});

