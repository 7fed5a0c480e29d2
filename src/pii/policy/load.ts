import { join } from "node:path";
import { loadYamlFile, parseYamlText } from "../../config/yaml-file.js";
import { PII_FILE } from "../../policy/schema.js";
import { PiiPolicySchema, type PiiPolicy } from "./schema.js";

/**
 * Loads and validates a PII policy. Problems throw one `ConfigError` listing each as
 * `file:line:col: field: what is expected`.
 *
 * @example
 * const policy = await loadPiiPolicy("policies/pii.yaml");
 */
export async function loadPiiPolicy(file: string): Promise<PiiPolicy> {
  return (await loadYamlFile(file, PiiPolicySchema)).value;
}

export function parsePiiPolicy(yamlText: string, file = PII_FILE): PiiPolicy {
  return parseYamlText(file, yamlText, PiiPolicySchema).value;
}

/** Where the gateway's policy directory keeps it. */
export const piiPolicyPath = (policyDir: string) => join(policyDir, PII_FILE);
