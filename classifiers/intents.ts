/**
 * The intents file (`policies/intents.yaml`): the gateway's intents, each with its default route, a
 * one-line description and example utterances. Routing policies and the classifier trainer both read
 * it through this schema.
 */
import { readFile } from "node:fs/promises";
import { z } from "zod";
import { FormatVersionSchema } from "../src/config/format-version.js";
import { readFailure } from "../src/config/read-failure.js";
import { ConfigError, parseYamlText, withinStack, type YamlSource } from "../src/config/yaml-file.js";
import { ClassifierDataError } from "./errors.js";

export const IntentRouteSchema = z.enum(["local", "cloud"]);
export type IntentRoute = z.infer<typeof IntentRouteSchema>;

export const IntentNameSchema = z.string().regex(/^[a-z][a-z0-9_]*$/, "must be snake_case (a-z, 0-9, _)");

export const IntentDefinitionSchema = z.strictObject({
  description: z.string().min(1),
  route: IntentRouteSchema,
  examples: z.array(z.string().trim().min(1, "examples must not be empty")).min(1),
});
export type IntentDefinition = z.infer<typeof IntentDefinitionSchema>;

export const IntentsFileSchema = z.strictObject({
  version: FormatVersionSchema,
  intents: z
    // zod reports a bad key as "Invalid key in record", with the key schema's message one level down.
    .record(IntentNameSchema, IntentDefinitionSchema, {
      error: (issue) => (issue.code === "invalid_key" ? issue.issues[0]?.message : undefined),
    })
    .refine((intents) => Object.keys(intents).length >= 2, "needs at least two intents"),
});
export type IntentsFile = z.infer<typeof IntentsFileSchema>;

/**
 * The intents file's examples and routes, read by the same YAML parser as the gateway's policy files
 * (merge keys, duplicate keys, alias and nesting limits), so `classifier train` accepts exactly the
 * files the gateway does; before, a `<<: *shared` the gateway merged was a training error here.
 *
 * @example
 * parseIntentsYaml(await readFile("policies/intents.yaml", "utf8"), "policies/intents.yaml").intents;
 */
export function parseIntentsYaml(text: string, file = "intents file"): IntentsFile {
  let source: YamlSource<unknown>;
  try {
    // Training data is read offline and may be larger than any policy file.
    source = parseYamlText(file, text, z.unknown(), { limit: { bytes: Infinity, of: "training data" } });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const [first] = error.problems;
    throw new ClassifierDataError(`invalid YAML: ${first?.message}`, file, first?.line || undefined);
  }
  // An empty file reads as an empty mapping.
  const { value } = source;
  if (typeof value === "object" && value !== null && Object.keys(value).length === 0) throw new ClassifierDataError("no intents (the file is empty)", file);
  const result = withinStack(file, () => IntentsFileSchema.safeParse(value));
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = (issue?.path ?? []).filter((key) => typeof key !== "symbol");
    throw new ClassifierDataError(`${path.join(".") || "(root)"}: ${issue?.message}`, file, path.length > 0 ? source.locate(path).line : undefined);
  }
  return result.data;
}

/** @example const intents = await loadIntentsFile("policies/intents.yaml"); */
export async function loadIntentsFile(path: string): Promise<IntentsFile> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const reason = readFailure(error);
    if (reason === undefined) throw error;
    throw new ClassifierDataError(`cannot read the file (${reason})`, path);
  }
  return parseIntentsYaml(text, path);
}
