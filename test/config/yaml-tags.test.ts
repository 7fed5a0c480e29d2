/**
 * YAML tags in policy files. The yaml library reads a value under a tag it does not know as its
 * plain text and only warns, so `tenant: !ENV TEAM_TENANT` became the tenant literally named
 * "TEAM_TENANT" and the rule never matched. Such a tag is refused at its line; the standard tags
 * (`!!str`, `!!int`, …) keep working.
 */
import { describe, expect, it } from "vitest";
import { parseYamlText } from "../../src/config/yaml-file.js";
import { problemsOf as routingProblemsOf } from "../policy/support.js";
import { AnyMap, yamlProblemsOf } from "./yaml-problems.js";

describe("custom YAML tags", () => {
  it("are refused at the tag in a routing rule, rather than matching their literal text", () => {
    const text = [
      "version: 1",
      "default: { route: local }",
      "rules:",
      "  - name: team",
      "    when:",
      "      tenant: !ENV TEAM_TENANT",
      "      headers:",
      "        x-env: !env PROD",
      "    then: { route: cloud }",
      "",
    ].join("\n");
    expect(routingProblemsOf(text)).toEqual([
      "routing.yaml:6:15: custom YAML tags (!ENV) are not supported: write the value itself",
      "routing.yaml:8:16: custom YAML tags (!env) are not supported: write the value itself",
    ]);
  });

  it("are refused on mappings and lists too, and when named through a %TAG handle", () => {
    expect(yamlProblemsOf("a: !Ref { x: 1 }\nb: !list [1]\n")).toEqual([
      "f.yaml:1:4: custom YAML tags (!Ref) are not supported: write the value itself",
      "f.yaml:2:4: custom YAML tags (!list) are not supported: write the value itself",
    ]);
    expect(yamlProblemsOf("%TAG !e! tag:example.com,2024:\n---\na: !e!secret x\n")).toEqual([
      "f.yaml:3:4: custom YAML tags (!e!secret) are not supported: write the value itself",
    ]);
  });
});

describe("standard YAML tags", () => {
  it("still give their value", () => {
    const value = parseYamlText("f.yaml", "a: !!str 5\nb: !!int '7'\nc: !!bool true\nd: !!map { x: 1 }\ne: !!seq [1]\nf: !<tag:yaml.org,2002:str> 9\ng: ! 3\n", AnyMap).value;
    expect(value).toEqual({ a: "5", b: 7, c: true, d: { x: 1 }, e: [1], f: "9", g: "3" });
  });

  it("that do not fit their value are refused at the tag, not read as text", () => {
    expect(yamlProblemsOf("a: !!int abc\nb: !!seq { x: 1 }\nc: !!set [1]\n")).toEqual([
      "f.yaml:1:4: the YAML parser cannot read this value as !!int: remove the tag (a value's own form gives its type)",
      "f.yaml:2:4: the YAML parser cannot read this value as !!seq: remove the tag (a value's own form gives its type)",
      "f.yaml:3:4: the YAML parser cannot read this value as !!set: remove the tag (a value's own form gives its type)",
    ]);
  });

  it("of another language's own (!!python/str) are custom tags, not core ones", () => {
    expect(yamlProblemsOf("a: !!python/str x\n")).toEqual(["f.yaml:1:4: custom YAML tags (!!python/str) are not supported: write the value itself"]);
  });
});
