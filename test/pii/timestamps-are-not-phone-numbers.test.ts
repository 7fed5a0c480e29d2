// What a user noticed: every log line or SQL row with a "2024-03-15 10:23:45" timestamp counted as a
// phone number, so the request was routed to the local model (personal-data-prefers-local) and the cloud
// saw "<PHONE_NUMBER_1>:23:45 INFO started" instead of the timestamp. A real phone number written next
// to a date or time must still be found.
import { beforeAll, describe, expect, it } from "vitest";
import { createPiiEngine, type PiiEngine } from "../../src/pii/index.js";
import { defaultPolicy, valuesOf } from "./support.js";

let engine: PiiEngine;
beforeAll(() => {
  engine = createPiiEngine(defaultPolicy());
});

const phones = (text: string) => valuesOf(engine, "PHONE_NUMBER", text);

describe("timestamps are not phone numbers", () => {
  it.each([
    "Why does this log line fail to parse? 2024-03-15 10:23:45 INFO started",
    "[2024-03-15 10:23:45,123] ERROR Processing took 15234 ms, retried 3 times (req 7482910)",
    "2023-11-05 14:22:01 WARN slow",
    "2024-12-31 23:59:59 year end",
    "created_at: 2024-03-15 10:23:45",
    "SELECT * FROM t WHERE ts >= '2024-03-15 00:00:00'",
    "INSERT INTO users (id, name, created) VALUES (1, 'test', '2023-11-05 14:22:01');",
    "2024-03-15 9:05 deploy",
    "Meeting on 03-15-2024 10:30",
    "15.03.2024 10:23 Uhr Termin",
    "Order 2024-03-15 1042 shipped",
    "Report for 2024-03-15 10 rows were rejected",
  ])("%s", (text) => {
    expect(phones(text)).toEqual([]);
  });

  it("finds no phone number in any hour of a year of log-line timestamps", () => {
    const pad = (n: number) => String(n).padStart(2, "0");
    const flagged: string[] = [];
    for (let month = 1; month <= 12; month++) {
      for (let hour = 0; hour < 24; hour++) {
        const iso = `2025-${pad(month)}-${pad(month + 10)} ${pad(hour)}:17:42 INFO request served`;
        const us = `${pad(month)}-${pad(month + 10)}-2025 ${pad(hour)}:17 job finished`;
        for (const line of [iso, us]) if (phones(line).length > 0) flagged.push(line);
      }
    }
    expect(flagged).toEqual([]);
  });
});

describe("phone numbers next to dates and times are still found", () => {
  it.each([
    ["Call 415-555-0132 now", "415-555-0132"],
    ["On 2024-03-15 call me at +1 415-555-0132", "+1 415-555-0132"],
    ["2024-03-15 10:23 missed call from +49 30 12345678", "+49 30 12345678"],
    ["Callback 2024-03-15 415-555-0132", "415-555-0132"],
    ["Called 415-555-0132 2024-03-15, no answer", "415-555-0132"],
    ["Call +1 415 555 0132 10:30 tomorrow", "+1 415 555 0132"],
    ["Ruf mich am 15.03.2024 unter 030 12345678 an", "030 12345678"],
  ])("%s", (text, phone) => {
    expect(phones(text)).toEqual([phone]);
  });
});
