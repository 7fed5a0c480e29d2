/**
 * Passwords inside brackets and object literals. A word password in parentheses or braces
 * ("(user: admin, password: sunshine)", "{user: admin, password: sunshine}") reached the cloud in
 * clear once the closing bracket was taken for code; the secret is the word, without the bracket.
 * A field whose value is a variable ("{ email, password: hashedPassword }", "password: self.db_password,")
 * is code, not a secret: such auth snippets were pinned to the local model.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { createPiiEngine, type PiiEngine } from "../../src/pii/index.js";
import { defaultPolicy, valuesOf } from "./support.js";

let engine: PiiEngine;
beforeAll(() => {
  engine = createPiiEngine(defaultPolicy());
});

const secrets = (text: string) => valuesOf(engine, "SECRET", text);

describe("a password in brackets or an object literal", () => {
  it.each([
    ["Log in with the shared account (user: admin, password: sunshine) and check.", "sunshine"],
    ["Creds (DB_PASSWORD=postgres)", "postgres"],
    ["{user: admin, password: sunshine}", "sunshine"],
    ["[password: sunshine]", "sunshine"],
    ["connect(host=db, password=sunshine)", "sunshine"],
    ["const db = { user: 'app', password: Xk9mQ2vL7p, host: 'db' }", "Xk9mQ2vL7p"],
  ])("is found: %s", (text, value) => {
    expect(secrets(text)).toEqual([value]);
  });

  it.each([
    "await User.create({ email, password: hashedPassword });",
    "  secret: jwtSecret,",
    "password: self.db_password,",
    "'PASSWORD': settings.DB_PASSWORD,",
    "password: newPassword,",
    "connect(user=user, password=password)",
  ])("is a variable, no secret: %s", (text) => {
    expect(secrets(text)).toEqual([]);
  });
});
