/**
 * A failed reload of budgets.yaml is logged as a failed reload of routing.yaml is (docs/POLICIES.md,
 * safe editing): one error line whose `problems` are `file:line:col: path: message` lines, at most 50,
 * then how many more. It was logged as the error object: its stack and every problem the worker sent
 * (1,000 objects for a mangled file, a 116 KB line at each reload) with the listed 50 again in its message.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_REPORTED_PROBLEMS } from "../../src/config/yaml-file.js";
import { startTestGateway, testModelsYaml, type TestGateway } from "../support/gateway.js";

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway({ modelsYaml: testModelsYaml({ cloudBaseURL: "http://127.0.0.1:9/v1" }), waitForModels: false });
});
afterAll(async () => {
  await gw?.close();
});

const budgetsFailures = () =>
  gw.logs.map((line) => JSON.parse(line) as Record<string, unknown>).filter((entry) => String(entry.msg).startsWith("budgets.yaml cannot be loaded"));

describe("the log line of a failed budgets.yaml reload", { timeout: 60_000 }, () => {
  it("lists at most 50 problems as file:line:col lines, then how many more, with no stack", async () => {
    const budgetsPath = join(gw.policyDir, "budgets.yaml");
    // A mangled file: one problem per comma.
    await writeFile(budgetsPath, `version: 1\ntenants: [${",".repeat(5_000)}]\n`);
    await gw.gateway.reloadPolicies();

    const [entry] = budgetsFailures();
    expect(entry).toBeDefined();
    expect(entry).toMatchObject({ level: 50, trigger: "signal" });
    expect(entry).not.toHaveProperty("err");
    const problems = entry!.problems as string[];
    expect(problems).toHaveLength(MAX_REPORTED_PROBLEMS + 1);
    expect(problems[0]).toMatch(new RegExp(`^${budgetsPath.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:2:\\d+: `));
    expect(problems.at(-1)).toMatch(/^\.\.\. and \d+ more problems$/);
  });
});
