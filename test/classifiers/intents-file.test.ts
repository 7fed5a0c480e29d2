/** An intents file's schema errors keep the schema's own words, for intent names too. */
import { describe, expect, it } from "vitest";
import { parseIntentsYaml } from "../../classifiers/intents.js";

describe("intents YAML", () => {
  it("an intent name that is not snake_case says so, at its line", () => {
    const yaml = "version: 1\nintents:\n  billing: {route: local, description: b, examples: [invoice]}\n  Tech-Support: {route: cloud, description: t, examples: [bug]}\n";
    expect(() => parseIntentsYaml(yaml, "intents.yaml")).toThrow("intents.yaml:4: intents.Tech-Support: must be snake_case (a-z, 0-9, _)");
  });
});
