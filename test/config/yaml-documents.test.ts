/**
 * Documents after a policy file's first: the empty one kustomize and helm end their output with
 * (`---`) is accepted, and one with content is refused at its start in ops' words, not yaml's
 * "Source contains multiple documents; please use YAML.parseAllDocuments()".
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { parseYamlText } from "../../src/config/yaml-file.js";
import { compile, problemsOf } from "../policy/support.js";

const AnyMap = z.record(z.string(), z.unknown());
const ROUTING = "version: 1\ndefault: { route: local }\n";

describe("documents after the first", () => {
  it("are accepted when empty, as kustomize and helm write them", () => {
    expect(compile(`${ROUTING}---\n`).rules).toEqual([]);
    expect(parseYamlText("f.yaml", "a: 1\n---\n# generated\n---\n", AnyMap).value).toEqual({ a: 1 });
  });

  it("are refused at their start when they hold anything", () => {
    expect(problemsOf(`${ROUTING}---\nversion: 2\n`)).toEqual([
      "routing.yaml:3:1: only one YAML document per file: another starts here; move it to a file of its own or remove it",
    ]);
  });
});
