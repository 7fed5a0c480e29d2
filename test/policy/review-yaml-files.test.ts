/**
 * Review: every bad routing.yaml is reported as `file:line:col: path: message` (a ConfigError), never as
 * a bare exception — including YAML that expands aliases without end, misspelt keys below the first
 * line of a block mapping, and files too large to parse on the serving thread.
 */
import { describe, expect, it } from "vitest";
import { leastCpuMs } from "../support/cpu-time.js";
import { compile, problemsOf } from "./support.js";

describe("review: YAML that expands aliases without end (billion laughs)", () => {
  it("is a ConfigError naming the file, not a bare ReferenceError", () => {
    const levels = ["a: &a [x, x, x, x, x, x, x, x, x]"];
    for (const [prev, next] of [["a", "b"], ["b", "c"], ["c", "d"], ["d", "e"], ["e", "f"]]) {
      levels.push(`${next}: &${next} [${Array(9).fill(`*${prev}`).join(", ")}]`);
    }
    const problems = problemsOf(`version: 1\n${levels.join("\n")}\ndefault: { route: local }\n`);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^routing\.yaml(:\d+:\d+)?: .*alias/i);
  });
});

describe("review: many aliases, or one large anchor used often", () => {
  // Each alias of yaml's resolution walks every anchor before it: 53,000 anchors each used once (1 MiB)
  // took 100 s on the thread that serves requests, and yaml's per-anchor limit let them through.
  it("refuses more than 100 aliases in a file at the 101st, before building any value", () => {
    const pairs = Array.from({ length: 5_000 }, (_, i) => `&a${i} t${i}, *a${i}`);
    const text = `version: 1\ndefault: { route: local }\nrules:\n  - name: r\n    when: { tenant: [${pairs.join(", ")}] }\n    then: { route: cloud }\n`;
    let problems: string[] = [];
    // Expanding them took 100 s before the cap (≈0.1 s now); CPU time, so a busy machine's waits do not count.
    expect(leastCpuMs(() => (problems = problemsOf(text)), 1)).toBeLessThan(5_000);
    const col = text.split("\n")[4]!.indexOf("*a100") + 1;
    expect(problems).toEqual([`routing.yaml:5:${col}: more than 100 aliases (*name) in one file; write the values out instead`]);
  });

  it("refuses aliases that add more than 10,000 values between them", () => {
    const tenants = Array.from({ length: 4_000 }, (_, i) => `t${i}`).join(", ");
    const rule = (i: number) => `  - name: r${i}\n    when: { tenant: *many }\n    then: { route: cloud }`;
    const text = `version: 1\ndefault: { route: local }\nrules:\n  - name: first\n    when: { tenant: &many [${tenants}] }\n    then: { route: cloud }\n${[1, 2, 3].map(rule).join("\n")}\n`;
    // The third alias (rule r3's `when`, line 14) brings the total past 10,000 values.
    expect(problemsOf(text)).toEqual([expect.stringMatching(/^routing\.yaml:14:\d+: aliases \(\*name\) expand to more than 10000 values/)]);
  });

  it("accepts an anchor used as ops write them: a list of intents shared by a few rules", () => {
    const rule = (i: number, when: string) => `  - name: r${i}\n    when: { intent: ${when} }\n    then: { route: cloud }`;
    const text = `version: 1\ndefault: { route: local }\nrules:\n${rule(0, "&heavy [code, math, essay]")}\n${[1, 2, 3, 4].map((i) => rule(i, "*heavy")).join("\n")}\n`;
    expect(compile(text).rules.map((r) => r.name)).toEqual(["r0", "r1", "r2", "r3", "r4"]);
  });
});

describe("review: a misspelt key in a block mapping", () => {
  it("points at the line of the misspelt key, not the mapping's first key", () => {
    const text = [
      "version: 1", // 1
      "rules:", // 2
      "  - name: a", // 3
      "    when:", // 4
      "      tools: true", // 5
      "      promt_tokens_above: 10", // 6
      "    then:", // 7
      "      route: cloud", // 8
      "      fallback: [local]", // 9
      "default: { route: local }", // 10
      "rulez: []", // 11
    ].join("\n");
    const problems = problemsOf(`${text}\n`);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^routing\.yaml:6:7: rules\[0\]\.when: Unrecognized key: "promt_tokens_above"/),
        expect.stringMatching(/^routing\.yaml:9:7: rules\[0\]\.then: Unrecognized key: "fallback"/),
        expect.stringMatching(/^routing\.yaml:11:1: Unrecognized key: "rulez"/),
      ]),
    );
  });

  it("reports each of several misspelt keys on its own line", () => {
    const problems = problemsOf("version: 1\ndefault:\n  route: local\n  colour: red\n  size: 3\n");
    expect(problems).toEqual([
      expect.stringMatching(/^routing\.yaml:4:3: default: Unrecognized key: "colour"/),
      expect.stringMatching(/^routing\.yaml:5:3: default: Unrecognized key: "size"/),
    ]);
  });
});

describe("review: a huge policy file", () => {
  it("is refused with its size before parsing (parsing blocks the event loop that serves requests)", () => {
    const rules = Array.from({ length: 30_000 }, (_, i) => `  - { name: r${i}, when: { tenant: t${i} }, then: { route: cloud } }`);
    const text = `version: 1\ndefault: { route: local }\nrules:\n${rules.join("\n")}\n`;
    let problems: string[] = [];
    // Parsing it would take seconds of CPU; the refusal reads only its size.
    expect(leastCpuMs(() => (problems = problemsOf(text)))).toBeLessThan(200);
    expect(problems).toEqual([expect.stringMatching(/^routing\.yaml: file is \d+ bytes; policy files may be at most \d+ bytes/)]);
  });
});

describe("review: merge keys and aliases that name nothing", () => {
  // Without merges a `<<:` was a key of its own ("Unrecognized key: <<"), and an alias naming no
  // anchor was reported as expanding past the alias limit.
  it("merges a shared action into each rule with `<<: *name`, keys written beside it winning", () => {
    const text = [
      "version: 1",
      "default: { route: local }",
      "rules:",
      "  - name: heavy",
      "    when: { intent: [code] }",
      "    then: &to-cloud { route: cloud, degrade: false }",
      "  - name: math",
      "    when: { intent: [math] }",
      "    then:",
      "      <<: *to-cloud",
      "      degrade: true",
      "",
    ].join("\n");
    const policy = compile(text);
    expect(policy.source.rules.map((r) => r.then)).toMatchObject([
      { route: "cloud", degrade: false },
      { route: "cloud", degrade: true },
    ]);
  });

  it.each([
    ["a number", "      <<: 5", 10],
    ["an alias of a list", "      <<: *intents", 10],
    ["a list holding a number", "      <<:\n        - { degrade: true }\n        - 7", 12],
  ])("refuses a merge of %s at its line", (_label, merge, line) => {
    const text = `version: 1\ndefault: { route: local }\nrules:\n  - name: heavy\n    when: { intent: &intents [code] }\n    then: { route: cloud }\n  - name: math\n    when: { intent: [math] }\n    then:\n${merge}\n      route: cloud\n`;
    expect(problemsOf(text)).toEqual([expect.stringMatching(new RegExp(`^routing\\.yaml:${line}:\\d+: \`<<\` merges mappings into this one`))]);
  });

  it("names an alias whose anchor is missing, where it is", () => {
    const text = "version: 1\ndefault: { route: local }\nrules:\n  - name: heavy\n    when: { intent: *heavy }\n    then: { route: cloud }\n";
    expect(problemsOf(text)).toEqual(["routing.yaml:5:21: *heavy names no anchor: write &heavy on a value before it"]);
  });
});
