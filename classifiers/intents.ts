/**
 * The intents file (`policies/intents.yaml`): the gateway's intents, each with its default route, a
 * one-line description and example utterances. Routing policies and the classifier trainer both read
 * it through this schema.
 */
import { readFile } from "node:fs/promises";
import { parse } from "yaml";
import { z } from "zod";
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
  version: z.literal(1),
  intents: z
    .record(IntentNameSchema, IntentDefinitionSchema)
    .refine((intents) => Object.keys(intents).length >= 2, "needs at least two intents"),
});
export type IntentsFile = z.infer<typeof IntentsFileSchema>;

export function parseIntentsYaml(text: string, file = "intents file"): IntentsFile {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (error) {
    const line = (error as { linePos?: { line: number }[] }).linePos?.[0]?.line;
    throw new ClassifierDataError(`invalid YAML: ${(error as Error).message.split("\n")[0]}`, file, line);
  }
  const result = IntentsFileSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new ClassifierDataError(`${issue?.path.join(".") || "(root)"}: ${issue?.message}`, file);
  }
  return result.data;
}

/** @example const intents = await loadIntentsFile("policies/intents.yaml"); */
export async function loadIntentsFile(path: string): Promise<IntentsFile> {
  return parseIntentsYaml(await readFile(path, "utf8"), path);
}
