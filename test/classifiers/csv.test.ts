/**
 * Hand-written CSV: "text, label" with a space after the comma is common, quoted or not; quotes are
 * only field delimiters when they enclose the whole field, and a stray one is an error at its line.
 */
import { describe, expect, it } from "vitest";
import { CsvSyntaxError, parseCsv } from "../../classifiers/data/csv.js";
import { parseLabelledExamples } from "../../classifiers/data/training-data.js";
import { ClassifierDataError } from "../../classifiers/index.js";

const fieldsOf = (text: string) => parseCsv(text).map((record) => record.fields);

describe("parseCsv", () => {
  it("a quoted value after spaces loses its quotes, as an unquoted one keeps its spaces", () => {
    expect(fieldsOf('"hello there", "greet"\n"a, b",\t"c"\nplain, value\n')).toEqual([
      ["hello there", "greet"],
      ["a, b", "c"],
      ["plain", " value"],
    ]);
  });

  it("spaces after a closing quote are dropped", () => {
    expect(fieldsOf('"hi" , "x" \n')).toEqual([["hi", "x"]]);
  });

  it("a stray quote inside an unquoted field, or text after a closing quote, is an error at its line", () => {
    for (const [text, line, message] of [
      ['text,label\nhi,greet\nsay "hi" to him,greet\n', 3, /stray quote/],
      ['text,label\n"say "hi" to him",greet\n', 2, /after a closing quote/],
    ] as const) {
      let caught: unknown;
      try {
        parseCsv(text);
      } catch (error) {
        caught = error;
      }
      expect(caught, text).toBeInstanceOf(CsvSyntaxError);
      expect((caught as CsvSyntaxError).line, text).toBe(line);
      expect((caught as Error).message, text).toMatch(message);
    }
  });

  it("a doubled quote inside a quoted field is still one quote", () => {
    expect(fieldsOf('"say ""hi""", greet\n')).toEqual([['say "hi"', " greet"]]);
  });
});

describe("CSV training data", () => {
  it("labels of the spaced style come without quotes", () => {
    const examples = parseLabelledExamples('text, label\n"hello there", "greet"\n"good morning", greet\n', "spaced.csv");
    expect(examples).toEqual([
      { text: "hello there", label: "greet" },
      { text: "good morning", label: "greet" },
    ]);
  });

  it("a stray quote is reported with the file and line", () => {
    expect(() => parseLabelledExamples('text,label\nhi,greet\nsay "hi",greet\n', "data.csv")).toThrow(ClassifierDataError);
    expect(() => parseLabelledExamples('text,label\nhi,greet\nsay "hi",greet\n', "data.csv")).toThrow(/^data\.csv:3: stray quote/);
  });
});
