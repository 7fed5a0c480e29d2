/**
 * Which of the files transformers.js needs a model folder lacks. Without them it fails with errors
 * that name no file ("Cannot read properties of undefined (reading 'tokenizer_class')").
 */
import { access } from "node:fs/promises";
import { join } from "node:path";

/** What transformers.js reads from a Hugging Face folder, text-classification model or encoder alike. */
export const HUGGING_FACE_FILES = ["config.json", "tokenizer.json", "tokenizer_config.json", "onnx/model.onnx"] as const;

export async function missingFiles<T extends string>(dir: string, files: readonly T[]): Promise<T[]> {
  const present = await Promise.all(
    files.map((file) =>
      access(join(dir, file)).then(
        () => true,
        () => false,
      ),
    ),
  );
  return files.filter((_, i) => !present[i]);
}
