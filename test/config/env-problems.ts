/** The problems start-up reports for an environment, as ops read them (`VARIABLE: message`); none when it starts. */
import { parseEnv } from "../../src/config/load.js";
import { ConfigError } from "../../src/config/yaml-file.js";

export function envProblems(env: Record<string, string>): string[] {
  try {
    parseEnv(env);
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems.map((problem) => `${problem.path}: ${problem.message}`);
  }
}
