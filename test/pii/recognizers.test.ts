import { beforeAll, describe, expect, it } from "vitest";
import { createPiiEngine, type PiiEngine } from "../../src/pii/index.js";
import { defaultPolicy, found } from "./support.js";

let engine: PiiEngine;
beforeAll(() => {
  engine = createPiiEngine(defaultPolicy());
});

/** For each recognizer: texts where it must find exactly `value`, and near misses where it must not. */
const cases: { type: string; positives: [string, string][]; negatives: string[] }[] = [
  {
    type: "EMAIL_ADDRESS",
    positives: [
      ["Write to jane.roe+billing@mail.example.co.uk today", "jane.roe+billing@mail.example.co.uk"],
      ["(ops@acme-corp.io)", "ops@acme-corp.io"],
    ],
    negatives: ["ping @channel about it", "user@localhost is not routable", "the email field is required"],
  },
  {
    type: "PHONE_NUMBER",
    positives: [
      ["Call me at +1 415-555-0132 tomorrow", "+1 415-555-0132"],
      ["office (212) 555-0187, ask for Sam", "(212) 555-0187"],
      ["UK desk: +44 20 7946 0958", "+44 20 7946 0958"],
      ["Berlin: 030 12345678 (mobile)", "030 12345678"],
      ["phone: 4155550132", "4155550132"],
      // Formats whose reading goes through trunk prefixes, shared calling codes and dialling prefixes.
      ["Call +44 (0)20 7946 0958 today", "+44 (0)20 7946 0958"],
      ["dial 0044 20 7946 0958", "0044 20 7946 0958"],
      ["Vancouver office: (604) 555-0132", "(604) 555-0132"],
      ["Paris: 01 42 68 53 00", "01 42 68 53 00"],
      ["call 1 415 555 0132", "1 415 555 0132"],
      ["Mumbai 098765 43210", "098765 43210"],
      ["tel. 617.484.0446", "617.484.0446"],
      ["phone +1 800 555 0199", "+1 800 555 0199"],
    ],
    negatives: [
      "Order 4155550132 shipped",
      "version 2.4.1 was released",
      "invoice 20240511",
      "see ticket 123-456",
      "Ref 1309 5585 55",
      "call 555-0000-1",
      "call +1 099 555 0132",
    ],
  },
  {
    type: "CREDIT_CARD",
    positives: [
      ["card 4111 1111 1111 1111 exp 09/27", "4111 1111 1111 1111"],
      ["Mastercard 5500-0000-0000-0004", "5500-0000-0000-0004"],
      ["amex 378282246310005 please", "378282246310005"],
    ],
    negatives: ["card 4111 1111 1111 1112 (bad checksum)", "tracking 1234 5678 9012 3456", "4111-1111 1111-1111 mixed separators"],
  },
  {
    type: "US_SSN",
    positives: [
      ["My SSN is 536-22-4187.", "536-22-4187"],
      ["social security number 536224187", "536224187"],
    ],
    negatives: ["SSN 000-12-3456", "SSN 666-12-3456", "SSN 912-34-5678", "SSN 536-00-4187", "SSN 536-22-0000", "order 536224187", "SSN 078-05-1120"],
  },
  {
    type: "IBAN_CODE",
    positives: [
      ["IBAN DE89 3704 0044 0532 0130 00, thanks", "DE89 3704 0044 0532 0130 00"],
      ["pay GB82WEST12345698765432 now", "GB82WEST12345698765432"],
      ["to FR14 2004 1010 0505 0001 3M02 606 THEN confirm", "FR14 2004 1010 0505 0001 3M02 606"],
    ],
    negatives: ["IBAN DE89 3704 0044 0532 0130 01", "code AB12 CDEF GHIJ KLMN"],
  },
  {
    type: "IP_ADDRESS",
    positives: [
      ["login from 192.168.1.24 failed", "192.168.1.24"],
      ["client 2001:db8:85a3::8a2e:370:7334 connected", "2001:db8:85a3::8a2e:370:7334"],
    ],
    negatives: ["upgraded to version 1.2.3.4 today", "256.1.1.1 is not an address", "at 10:30:00 sharp", "std::vector<int>", "1.2.3.4.5"],
  },
  {
    type: "URL",
    positives: [
      ["see https://intranet.example.com/users/4711?tab=1.", "https://intranet.example.com/users/4711?tab=1"],
      ["(www.example.org/profile)", "www.example.org/profile"],
    ],
    negatives: ["example dot com", "http:// alone"],
  },
  {
    type: "MAC_ADDRESS",
    positives: [
      ["device 00:1A:2B:3C:4D:5E joined", "00:1A:2B:3C:4D:5E"],
      ["hwaddr 00-1a-2b-3c-4d-5f", "00-1a-2b-3c-4d-5f"],
      ["cisco 001a.2b3c.4d5e", "001a.2b3c.4d5e"],
    ],
    negatives: ["00:1A:2B:3C:4D is five groups", "00:1A-2B:3C:4D:5E mixed", "00:00:00:00:00:00"],
  },
  {
    type: "CRYPTO",
    positives: [
      ["send to 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"],
      ["wallet bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"],
      ["eth 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"],
    ],
    negatives: [
      "send to 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3",
      "wallet bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdp",
      "eth 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD",
    ],
  },
  {
    type: "DATE_TIME",
    positives: [
      ["I was born on 12 March 1985 in a small town", "12 March 1985"],
      ["DOB: 1985-03-12", "1985-03-12"],
      ["date of birth March 4, 1990", "March 4, 1990"],
    ],
    negatives: ["the meeting is on 12 March 2025", "deadline 2024-05-01 for the release", "released 03/04/2020"],
  },
  {
    type: "PERSON",
    positives: [
      ["My name is Oliver Brandt and I need help", "Oliver Brandt"],
      ["Dear Maria Gonzalez, thank you", "Maria Gonzalez"],
      ["Please ask Dr. Kwame Mensah", "Kwame Mensah"],
    ],
    negatives: ["Grant access to the bucket", "The Quarterly Report Is Ready", "Use the API"],
  },
  {
    type: "LOCATION",
    positives: [
      ["I live at 42 Elm Street, Springfield, IL 62704.", "42 Elm Street, Springfield, IL 62704"],
      ["We moved to Denver last year", "Denver"],
      ["Adresse: Hauptstraße 12, 10115 Berlin", "Hauptstraße 12, 10115 Berlin"],
    ],
    negatives: ["the main street of our codebase", "street-level data"],
  },
  {
    type: "SECRET",
    positives: [
      ["key sk-proj-AbC123dEf456GhI789jKl012MnO345 leaked", "sk-proj-AbC123dEf456GhI789jKl012MnO345"],
      ["AWS_ACCESS_KEY_ID=AKIAZ7Q3RX5TVB2LMN4P", "AKIAZ7Q3RX5TVB2LMN4P"],
      ["token ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789", "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789"],
      ["DB_PASSWORD=Hunter2Secret!", "Hunter2Secret!"],
      ['{"api_key": "q8Zr2LmX0pWv"}', "q8Zr2LmX0pWv"],
      ["my password is tr0ub4dor&3", "tr0ub4dor&3"],
      ["Authorization: Bearer abc123def456ghi789jkl", "abc123def456ghi789jkl"],
      ["postgres://app:S3cr3tPass@db.internal:5432/app", "S3cr3tPass"],
      [
        "jwt eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
      ],
      [
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAx\n-----END RSA PRIVATE KEY-----\nthanks",
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAx\n-----END RSA PRIVATE KEY-----",
      ],
    ],
    negatives: [
      "we use sk-learn-compatible-estimators here",
      "password: <redacted>",
      "the token is expired",
      "api_key = os.environ['KEY']",
      "-----BEGIN PUBLIC KEY-----\nMIIBIjANBg\n-----END PUBLIC KEY-----",
    ],
  },
];

describe.each(cases)("$type recognizer", ({ type, positives, negatives }) => {
  it.each(positives)("finds it in %j", (text, value) => {
    expect(found(engine, text)).toContainEqual([type, value]);
  });
  it.each(negatives)("finds none in %j", (text) => {
    expect(found(engine, text).filter(([t]) => t === type)).toEqual([]);
  });
});

describe("scoring", () => {
  it("raises a score with context words and lowers it with negative ones", () => {
    const score = (text: string) => engine.scan(text).find((e) => e.type === "IP_ADDRESS")?.score ?? 0;
    expect(score("connected from 10.0.4.7")).toBeGreaterThan(score("we saw 10.0.4.7"));
    expect(score("firmware version 10.0.4.7")).toBe(0);
  });

  it("covers a PEM key whose END line is missing, up to the end of its base64 body", () => {
    const text = "here:\n-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7\n\nwhat does it do?";
    expect(found(engine, text)).toEqual([["SECRET", text.slice(6, text.indexOf("\n\nwhat"))]]);
  });

  it("merges overlapping findings into one span typed after the most confident", () => {
    const text = "open https://a.example.com/?u=ann.lee@example.com now";
    expect(found(engine, text)).toEqual([["EMAIL_ADDRESS", "https://a.example.com/?u=ann.lee@example.com"]]);
  });

  it("reports offsets that slice back to the value, also after non-ASCII text", () => {
    const text = "Grüße aus Köln 🙂 — mail: jürgen@example.de / jurgen@example.de";
    const emails = engine.scan(text).filter((e) => e.type === "EMAIL_ADDRESS");
    expect(emails.map((e) => text.slice(e.start, e.end))).toEqual(["jürgen@example.de", "jurgen@example.de"]);
  });
});
