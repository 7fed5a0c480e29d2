/**
 * pii.yaml's `entities.<TYPE>`, routing's `pii_found` and the `x-switchyard-pii` header use the entity
 * type names docs/PII.md's "Entity types" table lists: it must list every type the engine reports, and
 * only those.
 */
import { describe, expect, it } from "vitest";
import { BUILTIN_ENTITY_TYPES } from "../../src/pii/entity.js";
import { readDoc } from "../support/docs-text.js";

function documentedTypes(): string[] {
  const section = readDoc("docs/PII.md").split("\n## Entity types\n")[1]!.split("\n## ")[0]!;
  return section
    .split("\n")
    .filter((line) => line.startsWith("| ") && !line.startsWith("| type ") && !line.startsWith("| ---"))
    .flatMap((line) => line.slice(2).split(" | ")[0]!.split(",").map((type) => type.trim()));
}

describe("docs/PII.md entity types", () => {
  it("lists exactly the types the engine reports", () => {
    expect(documentedTypes().sort()).toEqual([...BUILTIN_ENTITY_TYPES].sort());
  });
});
