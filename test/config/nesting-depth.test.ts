/**
 * How deep a policy file may nest. Building, validating and compiling a value recurse once per level:
 * 800 nested `not` in a 7 KB routing.yaml overflowed the stack, a bare RangeError naming no file at
 * start-up, a problem on the folder at line 0 on reload. Past `MAX_NESTING_DEPTH` levels of mappings
 * and lists a file is refused at the first level too deep, before any value is built.
 */
import { afterEach, describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { MAX_NESTING_DEPTH, NESTING_MESSAGE, resourceExhausted } from "../../src/config/nesting-depth.js";
import { ConfigError, parseYamlText } from "../../src/config/yaml-file.js";
import { PolicyStore } from "../../src/policy/store.js";
import { memoryLogger, policyDir, problemsOf as routingProblemsOf } from "../policy/support.js";
import { leastCpuMs } from "../support/cpu-time.js";
import { AnyMap, yamlProblemsOf } from "./yaml-problems.js";

/** A routing.yaml whose one rule's `when` is `levels` nested `not`s (line 5; the `when` mapping is the 4th level). */
const deepRouting = (levels: number) =>
  `version: 1\ndefault: { route: local }\nrules:\n  - name: a\n    when: ${"{ not: ".repeat(levels)}{ tools: true }${" }".repeat(levels)}\n    then: { route: cloud }\n`;

/** Column of the first mapping past the limit: `    when: ` is 10 characters, each `{ not: ` 7. */
const TOO_DEEP_COL = 11 + 7 * (MAX_NESTING_DEPTH - 3);

describe("nesting depth", () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });

  it("800 nested `not` are refused at the first level too deep, quickly", () => {
    let problems: string[] = [];
    // ~6 ms of CPU; before, the syntax-tree checks alone took ~200 ms. CPU time: a loaded machine's waits do not count.
    expect(leastCpuMs(() => (problems = routingProblemsOf(deepRouting(800))))).toBeLessThan(150);
    expect(problems).toEqual([`routing.yaml:5:${TOO_DEEP_COL}: ${NESTING_MESSAGE}`]);
  });

  it("a file nested 100,000 deep is refused the same way, not with yaml's stack overflow", () => {
    const text = `a: ${"[".repeat(100_000)}${"]".repeat(100_000)}\n`;
    expect(yamlProblemsOf(text)).toEqual([`f.yaml:1:${4 + MAX_NESTING_DEPTH - 1}: ${NESTING_MESSAGE}`]);
  });

  it("the library's own stack overflow while composing a tree is told as nesting too deep, where it cut the tree", () => {
    // The library catches it (RESOURCE_EXHAUSTION) and cuts the tree short, so the tree need not show the depth.
    const doc = parseDocument(`a: [b]\n  ${"[".repeat(20_000)}\n`);
    const error = doc.errors.find((e) => e.code === "RESOURCE_EXHAUSTION");
    expect(error).toBeDefined();
    expect(resourceExhausted(doc)).toEqual({ offset: error!.pos[0], message: NESTING_MESSAGE });
    expect(resourceExhausted(parseDocument("a: [b]\n"))).toBeUndefined();
  });

  it("files nested 100,000 deep are refused before the library parses them: in milliseconds, one after another", () => {
    // The library took 1–2 s to parse each, on the thread serving requests, and the second one in a
    // process aborted it (V8's "RegExpCompiler Allocation failed", its stack exhausted in the parser).
    const deep = 100_000;
    const files: [string, string][] = [
      [`a: ${"[".repeat(deep)}${"]".repeat(deep)}\n`, `1:${4 + (MAX_NESTING_DEPTH - 1)}`],
      [`a: ${"{".repeat(deep)}${"}".repeat(deep)}\n`, `1:${4 + (MAX_NESTING_DEPTH - 1)}`],
      [`a:\n  ${"- ".repeat(deep)}1\n`, `2:${3 + 2 * (MAX_NESTING_DEPTH - 1)}`],
      [`${"? ".repeat(deep)}a\n`, `1:${1 + 2 * MAX_NESTING_DEPTH}`],
    ];
    for (let round = 0; round < 2; round++) {
      for (const [text, at] of files) {
        const before = process.cpuUsage();
        const problems = yamlProblemsOf(text);
        const used = process.cpuUsage(before);
        expect(problems).toEqual([`f.yaml:${at}: ${NESTING_MESSAGE}`]);
        // CPU time, which a loaded machine does not inflate as it does wall time; ~1 ms here.
        expect((used.user + used.system) / 1000).toBeLessThan(300);
      }
    }
  });

  it("a level in content the library drops is no reason to refuse the file", () => {
    // The library reads nothing after this explicit key's block scalar: no error, and no brackets.
    const text = `? \n  |\n  x\n "d"'m\n${"[".repeat(100)}\n`;
    expect(parseYamlText("f.yaml", text, AnyMap).value).toEqual({ "x\n": null });
  });

  it(`${MAX_NESTING_DEPTH} levels are accepted`, () => {
    const levels = MAX_NESTING_DEPTH - 1; // under the top-level mapping
    const text = `a: ${"[".repeat(levels)}${"]".repeat(levels)}\n`;
    expect(() => parseYamlText("f.yaml", text, AnyMap)).not.toThrow();
  });

  it("an alias counts as the value it names, written where it stands", () => {
    const nested = (n: number, inner: string) => `${"[".repeat(n)}${inner}${"]".repeat(n)}`;
    // Each anchor is 40 levels deep, the second holding the first: 80 levels once expanded.
    const text = `a: &one ${nested(40, "1")}\nb: &two ${nested(39, "*one")}\nc: *two\n`;
    expect(yamlProblemsOf(text)).toEqual([`f.yaml:2:${9 + 39}: ${NESTING_MESSAGE}`]);
    expect(() => parseYamlText("f.yaml", `a: &one ${nested(30, "1")}\nb: ${nested(30, "*one")}\n`, AnyMap)).not.toThrow();
  });

  it("an alias inside the value it names is refused at the alias, not left to recurse without end", () => {
    const text = "version: 1\ndefault: { route: local }\nrules:\n  - name: a\n    when: &w { not: *w }\n    then: { route: cloud }\n";
    expect(routingProblemsOf(text)).toEqual([
      "routing.yaml:5:21: *w is inside the value &w names, so that value would contain itself without end: write it out instead",
    ]);
  });

  it("at start-up, refuses the folder with a problem at routing.yaml's line", async () => {
    const dir = await policyDir({ "routing.yaml": deepRouting(800) });
    cleanup.push(dir.remove);
    const error = await PolicyStore.open({ dir: dir.dir, log: memoryLogger().log }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([expect.objectContaining({ file: expect.stringMatching(/routing\.yaml$/), line: 5, col: TOO_DEEP_COL })]);
  });

  it("on reload, keeps the last good policy and names routing.yaml's line", async () => {
    const dir = await policyDir({});
    cleanup.push(dir.remove);
    const store = await PolicyStore.open({ dir: dir.dir, log: memoryLogger().log });
    cleanup.push(() => store.close());
    await dir.write("routing.yaml", deepRouting(800));
    const result = await store.reload("admin");
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.problems).toEqual([expect.objectContaining({ file: expect.stringMatching(/routing\.yaml$/), line: 5, message: NESTING_MESSAGE })]);
  });
});
