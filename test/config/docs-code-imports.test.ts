/**
 * The TypeScript examples in the user docs import the gateway's modules by path (from the repository
 * root, or from `src/` in docs/CONTEXT.md's pipeline example). A developer copies them: every module
 * they name must exist and export every name they import from it.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { readDoc, USER_DOCS } from "../support/docs-text.js";

const root = resolve(import.meta.dirname, "../..");
const imports = USER_DOCS.flatMap((doc) =>
  [...readDoc(doc).matchAll(/^import \{([^}]+)\} from "(\.\/[^"]+)";$/gm)].map((m) => ({
    doc,
    path: m[2]!,
    names: m[1]!.split(",").map((name) => name.trim().replace(/^type\s+/, "")).filter(Boolean),
  })),
);

/** `./x.js` from the root, else from `src/`; the `.js` of an ESM import names a `.ts` file here. */
function modulePath(path: string): string | undefined {
  for (const base of [root, resolve(root, "src")]) {
    const file = resolve(base, path).replace(/\.js$/, ".ts");
    if (existsSync(file)) return file;
  }
  return undefined;
}

describe("imports in the docs' code examples", () => {
  it("has examples", () => {
    expect(imports.length).toBeGreaterThanOrEqual(5);
  });

  it.each(imports.map((i) => [`${i.doc}: ${i.path}`, i] as const))("%s exports what is imported", async (_label, { path, names }) => {
    const file = modulePath(path);
    expect(file, `${path} does not exist`).toBeDefined();
    const module = (await import(file!)) as Record<string, unknown>;
    expect(names.filter((name) => !(name in module))).toEqual([]);
  });
});
