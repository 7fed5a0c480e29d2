/**
 * The classifier's own configuration files, unreadable (a directory in place of the file): a typed
 * error naming the file and the reason, which the CLI and serve print without a stack trace. Before,
 * `loadIntentsFile` let Node's raw EISDIR through and a model folder said only "cannot read
 * switchyard.json", hiding why.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ClassifierDataError, ClassifierModelError, loadIntentClassifier, loadIntentsFile } from "../../classifiers/index.js";
import { useTempDir } from "./fixtures.js";

const dir = useTempDir("switchyard-classifier-unreadable-");

describe("unreadable classifier files", () => {
  it("loadIntentsFile on a directory: a ClassifierDataError naming it and the reason", async () => {
    const file = join(dir(), "intents.yaml");
    await mkdir(file);
    const error = await loadIntentsFile(file).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ClassifierDataError);
    expect((error as Error).message).toBe(`${file}: cannot read the file (is a directory, not a file)`);
  });

  it("a model folder whose switchyard.json is a directory: the reason is in the message", async () => {
    const model = join(dir(), "model");
    await mkdir(join(model, "switchyard.json"), { recursive: true });
    const error = await loadIntentClassifier(model).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ClassifierModelError);
    expect((error as Error).message).toBe(`${model}: cannot read switchyard.json (is a directory, not a file)`);
  });
});
