/**
 * A failed reload as the log line and `GET /admin/policies` / `POST /admin/policies/reload` report it:
 * a file with thousands of problems must not make a log line or a response of megabytes.
 */
import { describe, expect, it } from "vitest";
import { ConfigError, MAX_REPORTED_PROBLEMS } from "../../src/config/yaml-file.js";
import { loadFailure, withFailure } from "../../src/policy/reload-result.js";

const problems = (count: number, file = "policies/routing.yaml") =>
  Array.from({ length: count }, (_, i) => ({ file, line: i + 1, col: 3, path: `x.k${i}`, message: 'Unrecognized key: "rout"' }));

describe("loadFailure", () => {
  it("keeps the first 50 problems, and its message says how many more there were", () => {
    const failure = loadFailure(new ConfigError(problems(5_000)), "watch", "policies");
    expect(failure.problems).toHaveLength(MAX_REPORTED_PROBLEMS);
    expect(failure.problems[0]).toMatchObject({ line: 1, path: "x.k0" });
    const lines = failure.message.split("\n");
    expect(lines).toHaveLength(MAX_REPORTED_PROBLEMS + 1);
    expect(lines[0]).toBe('policies/routing.yaml:1:3: x.k0: Unrecognized key: "rout"');
    expect(lines.at(-1)).toBe("... and 4950 more problems");
  });

  it("keeps every problem of a file with few", () => {
    const failure = loadFailure(new ConfigError(problems(3)), "admin", "policies");
    expect(failure.problems).toHaveLength(3);
    expect(failure.message.split("\n")).toHaveLength(3);
  });

  it("caps each file's problems when a reload of two files folds them together", () => {
    const routing = loadFailure(new ConfigError(problems(400)), "signal", "policies");
    const budgets = loadFailure(new ConfigError(problems(400, "policies/budgets.yaml")), "signal", "policies/budgets.yaml");
    const result = withFailure({ ok: false, version: "abc", error: routing }, budgets);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.problems).toHaveLength(2 * MAX_REPORTED_PROBLEMS);
    expect(result.error.message.split("\n").filter((line) => line.startsWith("..."))).toEqual(["... and 350 more problems", "... and 350 more problems"]);
  });
});
