/**
 * Loading a folder that is not a (complete) model says what is missing. Before, a folder without
 * config.json or switchyard.json failed with transformers.js's "Cannot read properties of undefined
 * (reading 'tokenizer_class')", which names no file.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ClassifierModelError, loadIntentClassifier } from "../../classifiers/index.js";
import { useTempDir } from "./fixtures.js";

const dir = useTempDir("switchyard-model-errors-");

async function loadError(folder: string): Promise<ClassifierModelError> {
  const error = await loadIntentClassifier(folder).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ClassifierModelError);
  return error as ClassifierModelError;
}

describe("loadIntentClassifier on a folder that is not a model", () => {
  it("names the two files either kind of model starts from", async () => {
    const empty = join(dir(), "empty");
    await mkdir(empty);
    await writeFile(join(empty, "notes.txt"), "not a model");
    const error = await loadError(empty);
    expect(error.message).toMatch(/^.*empty: not a model folder: .*switchyard\.json.*config\.json/);
    expect(error.message).not.toContain("tokenizer_class");
  });

  it("lists what a Hugging Face model folder with only config.json lacks", async () => {
    const partial = join(dir(), "config-only");
    await mkdir(partial);
    await writeFile(join(partial, "config.json"), JSON.stringify({ id2label: { 0: "a", 1: "b" } }));
    const error = await loadError(partial);
    expect(error.message).toContain("missing tokenizer.json, tokenizer_config.json, onnx/model.onnx");
  });

  it("says a path that does not exist does not exist", async () => {
    const error = await loadError(join(dir(), "nowhere"));
    expect(error.message).toBe(`${join(dir(), "nowhere")}: no such folder`);
  });

  it("says a file is not a model folder", async () => {
    const file = join(dir(), "model.onnx");
    await writeFile(file, "");
    const error = await loadError(file);
    expect(error.message).toMatch(/model\.onnx: not a folder/);
  });
});
