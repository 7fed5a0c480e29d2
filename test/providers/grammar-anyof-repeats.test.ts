/**
 * Repeated `anyOf` alternatives are merged before the grammar is built (node-llama-cpp compiles them
 * again at every level). A merged alternative must keep what its repeats accept: an object schema
 * written without `type` also accepts strings, so a `oneOf` that pairs it with a string is refused,
 * whichever of two identical-looking alternatives comes first.
 */
import { describe, expect, it } from "vitest";
import { grammarRefusal, toGrammarSchema } from "../../src/providers/local/grammar-schema.js";

const closed = { type: "object", properties: { a: { type: "string" } }, required: ["a"], additionalProperties: false };
const inferred = { properties: { a: { type: "string" } }, required: ["a"], additionalProperties: false };

describe("anyOf alternatives that repeat", () => {
  it("are written once", () => {
    expect(toGrammarSchema({ anyOf: [{ type: "string" }, { type: "string" }, { type: "null" }] })).toEqual({ oneOf: [{ type: "string" }, { type: "null" }] });
  });

  it("are not merged when only their required lists differ, so an overlapping oneOf is still refused", () => {
    const properties = { p: { type: "string" }, q: { type: "string" } };
    const both = { type: "object", properties, required: ["p", "q"] };
    const none = { type: "object", properties };
    // {"p": "x", "r": 1} matches `none` (other properties allowed) and `other` alike.
    const other = { type: "object", properties: { p: { type: "string" }, r: { type: "number" } }, required: ["p", "r"] };
    for (const anyOf of [[both, none], [none, both]]) {
      expect(grammarRefusal({ oneOf: [{ anyOf }, other] })).toMatch(/^`oneOf` alternatives 0 and 1 may both match one value/);
    }
  });

  it("keep an inferred type's openness when merged, so an overlapping oneOf is still refused", () => {
    for (const anyOf of [[closed, inferred], [inferred, closed]]) {
      expect(grammarRefusal({ oneOf: [{ anyOf }, { type: "string" }] })).toMatch(/^`oneOf` alternatives 0 and 1 may both match one value/);
    }
  });
});
