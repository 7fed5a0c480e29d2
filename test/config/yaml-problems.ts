/** The problems `parseYamlText` reports for a file `f.yaml` of `text`, as ops read them (`file:line:col: …`). */
import { z } from "zod";
import { ConfigError, formatProblem, parseYamlText } from "../../src/config/yaml-file.js";

export const AnyMap = z.record(z.string(), z.unknown());

export function yamlProblemsOf(text: string, schema: z.ZodType = AnyMap): string[] {
  try {
    parseYamlText("f.yaml", text, schema);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map(formatProblem);
    throw error;
  }
  throw new Error("expected a ConfigError");
}
