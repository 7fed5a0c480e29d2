/**
 * intents.yaml is read by the gateway (intent routes, the stale-classifier check) and by `classifier
 * train`. They read it with one parser: before, the trainer used yaml's defaults, so an intents.yaml
 * sharing settings with a merge key (`<<: *local`) loaded in the gateway and passed `policy check`,
 * was refused by `classifier train`, and gave no training-data hash, which silenced the warning that
 * the classifier was trained on other examples.
 */
import { describe, expect, it } from "vitest";
import { parseIntentsYaml } from "../../classifiers/intents.js";
import { intentsTrainingDataHash } from "../../src/policy/classifier-info.js";
import { parseIntents } from "../../src/policy/check-files.js";

const MERGED = `version: 1
intents:
  greeting: &local
    route: local
    description: hi
    examples: [hi, hello]
  faq:
    <<: *local
    description: questions about the service
    examples: [what are your hours]
`;

describe("intents.yaml, read by the gateway and the trainer", () => {
  it("with a merge key, gives both the same intents and routes", () => {
    const gateway = parseIntents("intents.yaml", MERGED);
    const trainer = parseIntentsYaml(MERGED, "intents.yaml");
    expect(Object.entries(trainer.intents).map(([name, intent]) => [name, intent.route])).toEqual([...gateway.routes]);
    expect(trainer.intents.faq).toEqual({ route: "local", description: "questions about the service", examples: ["what are your hours"] });
  });

  it("with a merge key, has a training-data hash, so a stale classifier is still noticed", () => {
    expect(intentsTrainingDataHash("intents.yaml", MERGED)).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it("refused by the gateway's rules, is refused by the trainer with the line", () => {
    const repeated = "version: 1\nintents:\n  a: { route: local, description: a, examples: [x] }\n  b: { route: cloud, description: b, examples: [y] }\n  a: { route: cloud, description: c, examples: [z] }\n";
    expect(() => parseIntents("intents.yaml", repeated)).toThrow(/intents\.yaml:5:3: Map keys must be unique/);
    expect(() => parseIntentsYaml(repeated, "intents.yaml")).toThrow('intents.yaml:5: invalid YAML: Map keys must be unique: "a" is already at line 3');
    const tagged = "version: 1\nintents:\n  a: { route: !ENV ROUTE, description: a, examples: [x] }\n  b: { route: cloud, description: b, examples: [y] }\n";
    expect(() => parseIntentsYaml(tagged, "intents.yaml")).toThrow("intents.yaml:3: invalid YAML: custom YAML tags (!ENV) are not supported: write the value itself");
  });

  it("larger than the gateway reads intents.yaml (1 MiB), is still training data for the trainer", () => {
    const examples = (intent: string) => Array.from({ length: 10_000 }, (_, i) => `      - "${intent} example number ${i} with some more words"`).join("\n");
    const text = `version: 1\nintents:\n  greeting:\n    route: local\n    description: greetings\n    examples:\n${examples("greeting")}\n  faq:\n    route: local\n    description: questions\n    examples:\n${examples("faq")}\n`;
    expect(Buffer.byteLength(text)).toBeGreaterThan(1024 * 1024);
    const file = parseIntentsYaml(text, "big.yaml");
    expect(file.intents.greeting?.examples).toHaveLength(10_000);
    expect(file.intents.faq?.examples).toHaveLength(10_000);
  });

  it("keeps the trainer's schema messages at their line", () => {
    const text = "version: 1\nintents:\n  a: { route: local, description: a, examples: [x] }\n  b:\n    route: elsewhere\n    description: b\n    examples: [y]\n";
    expect(() => parseIntentsYaml(text, "intents.yaml")).toThrow(/^intents\.yaml:5: intents\.b\.route: /);
    expect(() => parseIntentsYaml("# nothing yet\n", "intents.yaml")).toThrow("intents.yaml: no intents (the file is empty)");
  });
});
