/**
 * Which of the files transformers.js needs a model folder lacks. Without them it fails with errors
 * that name no file ("Cannot read properties of undefined (reading 'tokenizer_class')").
 */
import { access } from "node:fs/promises";
import { isAbsolute, join } from "node:path";

/** What transformers.js reads from a Hugging Face folder besides the ONNX file. */
export const HUGGING_FACE_FILES = ["config.json", "tokenizer.json", "tokenizer_config.json"] as const;

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

/**
 * The ONNX file's folder for transformers.js's `subfolder` option: "onnx" in the Hub's
 * transformers.js-ready layout, "" when it is at the root as `optimum-cli export onnx` writes it.
 * A Hub id keeps transformers.js's default.
 */
export async function onnxSubfolder(source: string): Promise<"onnx" | ""> {
  if (!isAbsolute(source) || (await exists(join(source, "onnx", "model.onnx")))) return "onnx";
  return (await exists(join(source, "model.onnx"))) ? "" : "onnx";
}

/** The missing files, by name; `config.json` first when it is one of them. */
export async function missingModelFiles(dir: string): Promise<string[]> {
  const present = await Promise.all(HUGGING_FACE_FILES.map((file) => exists(join(dir, file))));
  const missing: string[] = HUGGING_FACE_FILES.filter((_, i) => !present[i]);
  const hasOnnx = (await exists(join(dir, "onnx", "model.onnx"))) || (await exists(join(dir, "model.onnx")));
  if (!hasOnnx) missing.push("onnx/model.onnx (or model.onnx at the root, as optimum-cli writes it)");
  return missing;
}
