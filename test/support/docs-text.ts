/**
 * The user-facing documents, read as a user reads them: what a test that holds the docs to the code
 * checks names against. docs/BENCHMARKS.md (measurements) and docs/UPGRADING.md (past behaviour, which
 * may name what no longer exists) are not promises about the running gateway.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";

const root = resolve(import.meta.dirname, "../..");

export const USER_DOCS = ["README.md", "docs/CONTEXT.md", "docs/USAGE.md", "docs/POLICIES.md", "docs/PII.md", "docs/CLASSIFIER.md"] as const;

export function readDoc(path: string): string {
  return readFileSync(resolve(root, path), "utf8");
}

/**
 * Each distinct match of `pattern` (global) in the user docs, with the first document naming it.
 *
 * @example
 * namesInDocs(/\bSWITCHYARD_[A-Z0-9_]*[A-Z0-9]/g) // Map { "SWITCHYARD_POLICY_DIR" => "README.md", … }
 */
export function namesInDocs(pattern: RegExp): Map<string, string> {
  const names = new Map<string, string>();
  for (const doc of USER_DOCS) for (const [name] of readDoc(doc).matchAll(pattern)) if (!names.has(name)) names.set(name, doc);
  return names;
}
