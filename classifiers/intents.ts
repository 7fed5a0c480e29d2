/**
 * The intents file (`policies/intents.yaml`): the gateway's intents, each with its default route, a
 * one-line description and example utterances. Routing policies and the classifier trainer both read
 * it through this schema.
 */
import { readFile } from "node:fs/promises";
import { LineCounter, parseDocument } from "yaml";
import { z } from "zod";
import { readFailure } from "../src/config/read-failure.js";
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
    // zod reports a bad key as "Invalid key in record", with the key schema's message one level down.
    .record(IntentNameSchema, IntentDefinitionSchema, {
      error: (issue) => (issue.code === "invalid_key" ? issue.issues[0]?.message : undefined),
    })
    .refine((intents) => Object.keys(intents).length >= 2, "needs at least two intents"),
});
export type IntentsFile = z.infer<typeof IntentsFileSchema>;

export function parseIntentsYaml(text: string, file = "intents file"): IntentsFile {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter });
  const [syntaxError] = document.errors;
  if (syntaxError) {
    throw new ClassifierDataError(`invalid YAML: ${syntaxError.message.split("\n")[0]}`, file, syntaxError.linePos?.[0]?.line);
  }
  if (document.contents === null) throw new ClassifierDataError("no intents (the file is empty)", file);
  const result = IntentsFileSchema.safeParse(document.toJS());
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = (issue?.path ?? []).filter((key) => typeof key !== "symbol");
    throw new ClassifierDataError(`${path.join(".") || "(root)"}: ${issue?.message}`, file, lineOf(document, lineCounter, path));
  }
  return result.data;
}

/** The line of the deepest node on `path` that exists, so a schema error points into the file. */
function lineOf(document: ReturnType<typeof parseDocument>, lineCounter: LineCounter, path: readonly (string | number)[]): number | undefined {
  for (let depth = path.length; depth > 0; depth--) {
    const node = document.getIn(path.slice(0, depth), true) as { range?: [number, number, number] } | undefined;
    if (node?.range) return lineCounter.linePos(node.range[0]).line;
  }
  return undefined;
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
