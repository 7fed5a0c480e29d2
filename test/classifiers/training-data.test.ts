import { describe, expect, it } from "vitest";
import { ClassifierDataError } from "../../classifiers/index.js";
import { checkTrainable, detectFormat, parseLabelledExamples, parseTextLines } from "../../classifiers/data/training-data.js";

function dataError(run: () => unknown): ClassifierDataError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ClassifierDataError);
    return error as ClassifierDataError;
  }
  throw new Error("expected a ClassifierDataError");
}

describe("training data", () => {
  it("reads JSONL, CSV (quoted fields, CRLF) and intents YAML into the same examples", () => {
    const expected = [
      { text: "hi, there", label: "greet" },
      { text: 'say "bye"', label: "leave" },
    ];
    expect(parseLabelledExamples('{"text":"hi, there","label":"greet"}\n\n{"text":"say \\"bye\\"","label":"leave"}\n', "d.jsonl")).toEqual(expected);
    expect(parseLabelledExamples('text,label\r\n"hi, there",greet\r\n"say ""bye""",leave\r\n', "d.csv")).toEqual(expected);
    const yaml = `version: 1
intents:
  greet: { route: local, description: Greetings., examples: ["hi, there"] }
  leave: { route: local, description: Goodbyes., examples: ['say "bye"'] }
`;
    expect(parseLabelledExamples(yaml, "d.yaml")).toEqual(expected);
  });

  it("rejects an empty file", () => {
    expect(dataError(() => parseLabelledExamples("", "d.jsonl")).message).toMatch(/d\.jsonl: no examples/);
    expect(dataError(() => parseLabelledExamples("text,label\n", "d.csv")).message).toMatch(/no examples/);
  });

  it("rejects data with a single label", () => {
    const examples = parseLabelledExamples('{"text":"a","label":"x"}\n{"text":"b","label":"x"}\n', "d.jsonl");
    expect(dataError(() => checkTrainable(examples, "d.jsonl")).message).toMatch(/at least two labels.*found 1/);
  });

  it("rejects empty texts with their line number", () => {
    const error = dataError(() => parseLabelledExamples('{"text":"a","label":"x"}\n{"text":"  ","label":"y"}\n', "d.jsonl"));
    expect(error.line).toBe(2);
    expect(error.message).toBe("d.jsonl:2: empty text");
    expect(dataError(() => parseLabelledExamples('text,label\nok,x\n"",y\n', "d.csv")).message).toBe("d.csv:3: empty text");
  });

  it("rejects malformed lines with their line number", () => {
    expect(dataError(() => parseLabelledExamples('{"text":"a","label":"x"}\n{"text": "b",\n', "d.jsonl")).message).toBe("d.jsonl:2: malformed JSON");
    expect(dataError(() => parseLabelledExamples('{"text":"a","label":"x"}\n{"text":"b"}\n', "d.jsonl")).message).toMatch(/^d\.jsonl:2: expected/);
    expect(dataError(() => parseLabelledExamples('{"text":"a","label":""}\n', "d.jsonl")).message).toMatch(/^d\.jsonl:1: /);
    expect(dataError(() => parseLabelledExamples("text,label\na,x\nb,y,z\n", "d.csv")).message).toBe("d.csv:3: expected 2 fields, got 3");
    expect(dataError(() => parseLabelledExamples('text,label\na,x\n"b,y\n', "d.csv")).message).toBe("d.csv:3: unterminated quoted field");
    expect(dataError(() => parseLabelledExamples("sentence,intent\na,x\n", "d.csv")).message).toMatch(/d\.csv:1: CSV header must name 'text' and 'label'/);
    expect(dataError(() => parseLabelledExamples("version: 1\nintents: [\n", "d.yaml")).message).toMatch(/^d\.yaml:\d+: invalid YAML/);
    expect(dataError(() => parseLabelledExamples("version: 1\nintents:\n  a: { route: moon, description: x, examples: [a] }\n  b: { route: local, description: x, examples: [b] }\n", "d.yaml")).message).toMatch(/intents\.a\.route/);
  });

  it("rejects unknown formats by extension", () => {
    expect(dataError(() => detectFormat("data.txt")).message).toMatch(/unknown data format '\.txt'/);
    expect(dataError(() => detectFormat("data")).message).toMatch(/no extension/);
  });

  it("reads texts to classify, keeping empty ones", () => {
    expect(parseTextLines('{"text":"a","id":1}\n{"text":""}\n', "stdin")).toEqual(["a", ""]);
  });
});
