/**
 * A password assigned in a config file or a connection string is a password even when it is a word
 * (`DB_PASSWORD=postgres`, `password: letmein`): most leaked passwords are. Telling code and prose
 * apart from credentials must not let those reach the cloud in clear. A word after a name that only
 * starts with "password" (`password_policy: strict`) or a variable named like the key
 * (`self.password = password`) is still no secret.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { createPiiEngine, type PiiEngine } from "../../src/pii/index.js";
import { defaultPolicy, valuesOf } from "./support.js";

let engine: PiiEngine;
beforeAll(() => {
  engine = createPiiEngine(defaultPolicy());
});

const secrets = (text: string) => valuesOf(engine, "SECRET", text);

describe("a password that is a word", () => {
  it.each([
    ["DB_PASSWORD=postgres", "postgres"],
    ["password=letmein", "letmein"],
    ["  password: monkey", "monkey"],
    ['{"user": "admin", "password": "sunshine"}', "sunshine"],
    ["PGPASSWORD=dragon psql -h db -U app", "dragon"],
    // A bare `password = password` line is a setting (my.cnf, an .ini file), the classic default password;
    // only an object's field handed a variable of its name (`self.password = password`) is code.
    ["password = password", "password"],
  ])("is found when assigned: %s", (text, value) => {
    expect(secrets(text)).toEqual([value]);
  });

  it.each(["password_policy: strict", "self.password = password", "const password = input;", "password: String!", "credentials: include"])("is no secret in %s", (text) => {
    expect(secrets(text)).toEqual([]);
  });
});
