// What a user noticed: client addresses in logs reached the cloud in clear when a version-ish word stood nearby:
// "Patch request from 203.0.113.7 was rejected", "package fetch from 198.51.100.4", "from 203.0.113.7 build 42",
// an access log line after "appVersion=3.2.1", and a host such as 10.5.0.0 in an access log. "from" right
// before an address says a client sent something, except after "upgrade(d)", where a version follows.
import { beforeAll, describe, expect, it } from "vitest";
import { createPiiEngine, type PiiEngine } from "../../src/pii/index.js";
import { defaultPolicy, valuesOf } from "./support.js";

let engine: PiiEngine;
beforeAll(() => {
  engine = createPiiEngine(defaultPolicy());
});

const addresses = (text: string) => valuesOf(engine, "IP_ADDRESS", text);

describe("a client address after 'from' is found next to version words", () => {
  it.each([
    ["Patch request from 203.0.113.7 was rejected", "203.0.113.7"],
    ["package fetch from 198.51.100.4", "198.51.100.4"],
    ["GET /sdk/latest from 198.51.100.4", "198.51.100.4"],
    ["from 203.0.113.7 build 42", "203.0.113.7"],
    ["Download of firmware v2 from 203.0.113.7", "203.0.113.7"],
    ['appVersion=3.2.1 203.0.113.7 - - [10/Oct/2024:13:55:36 +0000] "GET / HTTP/1.1" 200', "203.0.113.7"],
    ['10.5.0.0 - - [10/Oct/2024:13:55:36 +0000] "GET /admin HTTP/1.1" 200', "10.5.0.0"],
  ])("%s", (text, address) => {
    expect(addresses(text)).toEqual([address]);
  });
});
