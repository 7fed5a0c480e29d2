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

describe("a pass key", () => {
  it.each([
    ["DB_PASS=hunter22", "hunter22"],
    ["DB_PASS=postgres", "postgres"],
    ["SMTP_PASS=mailpass", "mailpass"],
    ["mail.smtp.pass: Sup3rS3cret", "Sup3rS3cret"],
    ["REDIS_PASS=foobared", "foobared"],
    ["user_pass=Secr3t99", "Secr3t99"],
    ["LDAP_PASS='S3cret!'", "S3cret!"],
  ])("after a service's name is a password: %s", (text, value) => {
    expect(secrets(text)).toEqual([value]);
  });

  it.each([
    '{"suite": "api", "n_pass": 1532, "n_fail": 2}',
    "num_pass = 10000",
    "unit_tests_pass: 1532",
    "metrics.pass = 0.98",
    "coverage_pass=passed",
    "lint.pass: green",
  ])("holding a count or a result is no secret: %s", (text) => {
    expect(secrets(text)).toEqual([]);
  });
});
