/**
 * What a user noticed: passwords and tokens that were caught before were sent to the cloud in clear
 * after the fixes for prose and code mentions: a word password in a connection string ended by ";"
 * ("Host=db;Password=postgres;Database=app"), a quoted literal in code ('var password = "sunshine";'),
 * a key glued to a lowercase prefix ("apitoken=…", "dbpassword=…"), a word password in a sentence
 * ("my password is sunshine"), a word assigned to a *_SECRET key and a numeric token ("PIN_TOKEN=123456").
 * Each of these must be found again, the secret value covered.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { createPiiEngine, type PiiEngine } from "../../src/pii/index.js";
import { defaultPolicy, valuesOf } from "./support.js";

let engine: PiiEngine;
beforeAll(() => {
  engine = createPiiEngine(defaultPolicy());
});

const secrets = (text: string) => valuesOf(engine, "SECRET", text);

function expectCovered(text: string, value: string): void {
  expect(secrets(text).some((found) => found.includes(value))).toBe(true);
}

describe("a password ended by ';' in a connection string or shell line", () => {
  it.each([
    ["Server=sql01;Database=Shop;User Id=shop;Password=welcome;Encrypt=True", "welcome"],
    ["export PASSWORD=hunter; ./run.sh", "hunter"],
    ["Host=db;Username=app;Password=postgres;Database=app", "postgres"],
  ])("is found in %j", expectCovered);
});

describe("a quoted string literal assigned in code", () => {
  it.each([
    ['private static final String DB_PASSWORD = "welcome";', "welcome"],
    ['var password = "sunshine";', "sunshine"],
    ["$password = 'sunshine';", "sunshine"],
  ])("is found in %j", expectCovered);
});

describe("a key name glued to a lowercase prefix", () => {
  it.each([
    ["authtoken: 2Yb7Qx9Lm3Kp8Rt5Vw1Zc4Nd6Fg", "2Yb7Qx9Lm3Kp8Rt5Vw1Zc4Nd6Fg"],
    ["GET /api/items?apitoken=a8f5f167f44f4964e6c998dee827110c", "a8f5f167f44f4964e6c998dee827110c"],
    ["accesstoken=a8f5f167f44f4964e6c998dee827110c", "a8f5f167f44f4964e6c998dee827110c"],
    ["refreshtoken=9b74c9897bac770ffc029102a200c5de", "9b74c9897bac770ffc029102a200c5de"],
    ["sessiontoken=9b74c9897bac770ffc029102a200c5de", "9b74c9897bac770ffc029102a200c5de"],
    ["dbpassword=Sunsh1ne", "Sunsh1ne"],
    ["rootpassword: hunter2", "hunter2"],
    ["newpassword=Hunter22", "Hunter22"],
  ])("is found in %j", expectCovered);
});

describe("a word password in prose or assigned outside code", () => {
  it.each([
    ["my password is sunshine, can you check why login fails?", "sunshine"],
    ["My new password is bluebird, please update it", "bluebird"],
    ["DB_PASSWORD=SuperSecret", "SuperSecret"],
    ["password: MyDogRex", "MyDogRex"],
    ["password: myPassword", "myPassword"],
    ["password: admin_pass", "admin_pass"],
    ["DB_PASSWORD=super_secret", "super_secret"],
    ["password=my.secret", "my.secret"],
    ["password: admin.admin", "admin.admin"],
    ["Password: Monkey!", "Monkey!"],
    ["password: abc/def", "abc/def"],
  ])("is found in %j", expectCovered);
});

describe("a word under a *_SECRET key and a numeric token", () => {
  it.each([
    ["NEXTAUTH_SECRET=supersecret", "supersecret"],
    ["JWT_SECRET=changeme", "changeme"],
    ["secret: keyboardcat", "keyboardcat"],
    ["client_secret: Abcdefgh", "Abcdefgh"],
    ["PIN_TOKEN=123456", "123456"],
    ["the secret is 12345678", "12345678"],
    ["my token is 123456789012", "123456789012"],
  ])("is found in %j", expectCovered);
});

describe("more values caught at the session start (found by the same review's scripts)", () => {
  it.each([
    ["password: ./secret", "./secret"],
    ["SECRET_KEY=django-insecure-abcdefghij", "django-insecure-abcdefghij"],
    ["api_key=1234567", "1234567"],
  ])("is found in %j", expectCovered);
});

describe("a key whose letters alternate case is no camelCase identifier", () => {
  it.each([
    ["API_KEY=AbCdEfGhIjKlMnOpQrStUv", "AbCdEfGhIjKlMnOpQrStUv"],
    ['const API_KEY = "AbCdEfGhIjKlMnOpQrSt";', "AbCdEfGhIjKlMnOpQrSt"],
  ])("is found in %j", expectCovered);
});
