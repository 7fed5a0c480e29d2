/**
 * How policy files are parsed, whatever their schema: duplicate keys are refused at the repeated
 * key in time linear in the file, and keys keep the text written (`0042` is not the number 42).
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ConfigError, MAX_REPORTED_PROBLEMS, parseYamlText, problemLines } from "../../src/config/yaml-file.js";
import { leastCpuMs } from "../support/cpu-time.js";
import { AnyMap, yamlProblemsOf } from "./yaml-problems.js";

/** One mapping of `count` keys under `x`, each on its own line (line n + 2 holds key k<n>). */
const wideMapping = (count: number, extra = "") => `version: 1\nx:\n${Array.from({ length: count }, (_, i) => `  k${i}: 1\n`).join("")}${extra}`;

describe("duplicate keys", () => {
  it("are reported at the repeated key, naming where the key first is", () => {
    expect(yamlProblemsOf("version: 1\nversion: 1\n")).toEqual(['f.yaml:2:1: Map keys must be unique: "version" is already at line 1']);
  });

  it("are found in nested and flow mappings, every one, in file order", () => {
    expect(yamlProblemsOf("a: { x: 1, x: 2 }\nb:\n  - c: 1\n    d: 2\n    c: 3\nb: 4\n")).toEqual([
      'f.yaml:1:12: Map keys must be unique: "x" is already at line 1',
      'f.yaml:5:5: Map keys must be unique: "c" is already at line 3',
      'f.yaml:6:1: Map keys must be unique: "b" is already at line 2',
    ]);
  });

  it("are reported with the file's syntax errors, in file order", () => {
    expect(yamlProblemsOf("a: 1\na: 2\nb: [1\n")).toEqual([
      'f.yaml:2:1: Map keys must be unique: "a" is already at line 1',
      expect.stringMatching(/^f\.yaml:4:1: /),
    ]);
  });

  it("compare keys as written: `1` and `01` are two keys, `1` and `'1'` one", () => {
    expect(Object.keys(parseYamlText("f.yaml", "1: a\n01: b\n", AnyMap).value)).toEqual(["1", "01"]);
    expect(yamlProblemsOf("1: a\n'1': b\n")).toEqual(['f.yaml:2:1: Map keys must be unique: "1" is already at line 1']);
  });

  // yaml's own check compared every key with all before it: 50,000 keys took 68 s on the event loop
  // (20,000 ~11 s). Now ~0.5 s of CPU for 20,000 (yaml's parse itself), whatever else runs.
  it("are checked in bounded time in a mapping of 20,000 keys, the one repeated at its end found", { timeout: 120_000 }, () => {
    const text = wideMapping(20_000, "  k7: 2\n");
    let problems: string[] = [];
    expect(leastCpuMs(() => (problems = yamlProblemsOf(text)), 1)).toBeLessThan(5_000);
    expect(problems).toEqual(['f.yaml:20003:3: Map keys must be unique: "k7" is already at line 10']);
  });
});

describe("keys", () => {
  it("keep the text written, so numeric-looking names are not rewritten", () => {
    const value = parseYamlText("f.yaml", "0042: a\n1e3: b\n12.50: c\n0x1F: d\ntrue: e\n~: f\n", AnyMap).value;
    expect(Object.keys(value)).toEqual(["0042", "1e3", "12.50", "0x1F", "true", "~"]);
  });

  it("under a numeric-looking key, locate a problem at its own line", () => {
    const Tenants = z.strictObject({ tenants: z.record(z.string(), z.strictObject({ action: z.enum(["deny"]) })) });
    expect(yamlProblemsOf("tenants:\n  acme:\n    action: deny\n  1234:\n    action: nope\n", Tenants)).toEqual([
      expect.stringMatching(/^f\.yaml:5:13: tenants\.1234\.action: /),
    ]);
  });

  it("are refused when they are not text (a sequence as a key)", () => {
    expect(yamlProblemsOf("? [a, b]\n: 1\n")).toEqual([expect.stringMatching(/^f\.yaml:1:3: .*keys must be strings/)]);
  });
});

describe("misspelt keys", () => {
  // The yaml library finds a key by comparing it with every key before it in its mapping, and each
  // misspelt key was located so: 27,000 of them in one mapping (256 KiB) took 3.8 s of CPU.
  it("are located in time linear in the file: 27,000 in one mapping", () => {
    const text = `version: 1\n${Array.from({ length: 27_000 }, (_, i) => `k${i}: 1\n`).join("")}`;
    const before = process.cpuUsage();
    const problems = yamlProblemsOf(text, z.strictObject({ version: z.literal(1) }));
    const used = process.cpuUsage(before);
    expect(problems).toHaveLength(27_000);
    expect(problems.at(-1)).toBe('f.yaml:27001:1: Unrecognized key: "k26999"');
    // CPU time, which a loaded machine inflates less than wall time: ~0.5 s here, 54 s before.
    expect((used.user + used.system) / 1000).toBeLessThan(5_000);
  });
});

describe("problem lists", () => {
  // A generated file with a typo repeated under every key made one log line of thousands of problems.
  const strictEntries = z.record(z.string(), z.strictObject({ route: z.string() }));
  const manyTypos = Array.from({ length: 3_000 }, (_, i) => `k${i}: { rout: local }\n`).join("");

  it("keep every problem, and list the first 50 in the message, then how many more", () => {
    const error = (() => {
      try {
        parseYamlText("f.yaml", manyTypos, strictEntries);
      } catch (caught) {
        return caught;
      }
      throw new Error("expected a ConfigError");
    })();
    expect(error).toBeInstanceOf(ConfigError);
    const { problems, message } = error as ConfigError;
    expect(problems.length).toBeGreaterThanOrEqual(3_000);
    const lines = message.split("\n");
    expect(lines).toHaveLength(MAX_REPORTED_PROBLEMS + 1);
    expect(lines[0]).toMatch(/^f\.yaml:1:\d+: k0/);
    expect(lines.at(-1)).toBe(`... and ${problems.length - MAX_REPORTED_PROBLEMS} more problems`);
  });

  it("of a file of errors are collected without a stack trace each, which only slowed the parse", () => {
    // 256 KiB of `[,,,…]`: 260,000 errors, 2.8 s of CPU with their stack traces, 1.0 s without.
    const limit = Error.stackTraceLimit;
    expect(yamlProblemsOf(`a: [${",".repeat(1_000)}]\n`)).toHaveLength(1_000);
    expect(Error.stackTraceLimit).toBe(limit);
    expect(new Error("after").stack).toMatch(/\n\s+at /);
  });

  it("are listed whole up to the limit", () => {
    const problems = Array.from({ length: MAX_REPORTED_PROBLEMS }, (_, i) => ({ file: "f.yaml", line: i + 1, col: 1, path: "", message: "bad" }));
    expect(problemLines(problems)).toHaveLength(MAX_REPORTED_PROBLEMS);
    expect(problemLines([...problems, problems[0]!]).at(-1)).toBe("... and 1 more problem");
  });
});

describe("a `__proto__` key", () => {
  // A parsed record cannot keep it (zod's record skips it, as assigning it would replace the
  // prototype), so a routing condition on a header named `__proto__` silently matched nothing.
  it("is refused at the key, in any mapping, rather than silently dropped", () => {
    expect(yamlProblemsOf("version: 1\nx:\n  a: 1\n  __proto__: 2\ny: [{ __proto__: 3 }]\n")).toEqual([
      "f.yaml:4:3: '__proto__' cannot be a key in a policy file (it cannot be kept once parsed); use another name",
      "f.yaml:5:7: '__proto__' cannot be a key in a policy file (it cannot be kept once parsed); use another name",
    ]);
  });

  it("is refused in a routing rule's header condition, naming the file and line", async () => {
    const { problemsOf: routingProblems } = await import("../policy/support.js");
    const text = "version: 1\nrules:\n  - name: r\n    when:\n      headers: { __proto__: x }\n    then: { route: cloud }\ndefault: { route: local }\n";
    expect(routingProblems(text)).toEqual([expect.stringMatching(/^routing\.yaml:5:18: '__proto__' cannot be a key/)]);
  });

  it("stays an ordinary value where it is not a key", () => {
    expect(parseYamlText("f.yaml", "a: __proto__\n", AnyMap).value).toEqual({ a: "__proto__" });
  });
});
