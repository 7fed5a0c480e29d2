/**
 * Review: a `pii_found` type that no recognizer reports (a typo such as SECRETS for SECRET) made a rule
 * that can never match — for `secrets-stay-local`, secrets silently stopped being kept local.
 */
import { afterEach, describe, expect, it } from "vitest";
import { ConfigError, formatProblem } from "../../src/config/yaml-file.js";
import { loadPolicyDir } from "../../src/policy/load.js";
import { policyDir } from "./support.js";

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const remove of cleanup.splice(0)) await remove();
});

const routing = (types: string) => `version: 1
rules:
  - name: secrets-stay-local
    when: { pii_found: ${types} }
    then: { route: local, pii: keep_local, pin: true }
default: { route: cloud }
`;

async function problemsOf(files: Record<string, string>): Promise<string[]> {
  const dir = await policyDir(files);
  cleanup.push(dir.remove);
  try {
    await loadPolicyDir({ dir: dir.dir });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map(formatProblem);
    throw error;
  }
  return [];
}

describe("review: pii_found entity types", () => {
  it("rejects a type no recognizer reports, naming the known ones", async () => {
    const problems = await problemsOf({ "routing.yaml": routing("[SECRETS, EMAIL_ADDRESS]") });
    expect(problems).toEqual([expect.stringMatching(/routing\.yaml:4:25: rules\[0\]\.when\.pii_found\[0\]: unknown PII entity type 'SECRETS'; .*SECRET/)]);
  });

  it("accepts the built-in types and those pii.yaml's custom recognizers add", async () => {
    const pii = "version: 1\ncustom_recognizers:\n  - { type: EMPLOYEE_ID, pattern: 'EMP-[0-9]{6}' }\n";
    expect(await problemsOf({ "routing.yaml": routing("[SECRET, EMPLOYEE_ID]"), "pii.yaml": pii })).toEqual([]);
    expect(await problemsOf({ "routing.yaml": routing("EMPLOYEE_ID") })).toEqual([expect.stringMatching(/unknown PII entity type 'EMPLOYEE_ID'/)]);
  });
});
