import { describe, expect, it } from "vitest";
import { cloudTextOf, found, patientSanitizer } from "./support.js";

// Values a reviewer saw reach the cloud in part or whole under the default policy; each case is the
// user-visible promise: what the upstream model receives.
const { engine, sanitizer } = patientSanitizer();

const cloudText = (content: string) => cloudTextOf(sanitizer, content);

describe("surnames the lexicon also knows as companies", () => {
  it("pseudonymizes the whole name after an introduction", () => {
    expect(cloudText("Hi, my name is Emily Ford, please draft a complaint letter for me.")).toBe(
      "Hi, my name is <PERSON_1>, please draft a complaint letter for me.",
    );
  });

  it.each(["Dupont", "Ford", "Dell", "Disney", "Bayer", "Sears", "Philips", "Siemens", "Honda", "Nestle", "Goodyear"])(
    "keeps %s with the first name before it",
    (surname) => {
      const text = `Hi, my name is Emily ${surname} and my colleague is Robert ${surname}.`;
      expect(found(engine, text)).toEqual([
        ["PERSON", `Emily ${surname}`],
        ["PERSON", `Robert ${surname}`],
      ]);
    },
  );

  it("takes a company word as the name right after 'my name is' or an honorific", () => {
    expect(cloudText("My name is Ford.")).toBe("My name is <PERSON_1>.");
    expect(cloudText("Dear Mr. Dupont, thank you")).toBe("Dear Mr. <PERSON_1>, thank you");
  });

  it.each([
    ["Dear Mr Smith, thanks for calling.", "Dear Mr <PERSON_1>, thanks for calling."],
    ["Dear Mrs Dupont, your order is ready.", "Dear Mrs <PERSON_1>, your order is ready."],
    ["Hi, I'm Emily Bayer from accounting.", "Hi, I'm <PERSON_1> from accounting."],
  ])("takes the whole name after an honorific or \"I'm\" in the same run of capitals: %j", (text, cloud) => {
    expect(cloudText(text)).toBe(cloud);
  });

  it("takes a hyphenated first name made of first names with its surname", () => {
    expect(cloudText("Dear Anne-Marie Dupont, your order shipped.")).toBe("Dear <PERSON_1>, your order shipped.");
  });

  it.each(["I work at Ford", "Ford Motor announced a recall", "contact Dell support", "customer Siemens AG", "Meet Emily Monday at noon", "I'm Not Sure What To Do", "Don't Miss Out", "Harley-Davidson Motor Company"])(
    "does not make a company or a weekday a person in %j",
    (text) => {
      expect(found(engine, text).filter(([type, value]) => type === "PERSON" && !/^Emily$/.test(value))).toEqual([]);
    },
  );
});

describe("UK street addresses with a postcode", () => {
  it.each([
    ["Please ship the parcel to 221B Baker Street, London NW1 6XE by Friday.", "Please ship the parcel to <LOCATION_1> by Friday."],
    ["Send it to 10 Downing Street, London SW1A 2AA.", "Send it to <LOCATION_1>."],
    ["Send it to 10 Downing Street, London, SW1A 2AA.", "Send it to <LOCATION_1>."],
  ])("sends %j with the whole address, postcode included, pseudonymized", (text, cloud) => {
    expect(cloudText(text)).toBe(cloud);
  });

  it("still ends a US address at its ZIP code", () => {
    expect(found(engine, "I live at 42 Elm Street, Springfield, IL 62704-1234 now.")).toEqual([
      ["LOCATION", "42 Elm Street, Springfield, IL 62704-1234"],
    ]);
  });
});

describe("email addresses with RFC 5322 punctuation in the local part", () => {
  it("pseudonymizes an address with an apostrophe whole", () => {
    expect(cloudText("Please reply to sean.o'neil@example.com today.")).toBe("Please reply to <EMAIL_ADDRESS_1> today.");
  });

  it.each([
    ["mail a!b#c$d&e*f^g{h|i}j~k@example.org", "a!b#c$d&e*f^g{h|i}j~k@example.org"],
    ["('bob@example.com')", "bob@example.com"],
    ["`{bob@example.com}`", "bob@example.com"],
    ["**bob@example.com**", "bob@example.com"],
    ["set EMAIL=ann@example.com", "ann@example.com"],
  ])("finds in %j exactly %j", (text, value) => {
    expect(found(engine, text)).toEqual([["EMAIL_ADDRESS", value]]);
  });
});

describe("card and phone numbers written with no-break spaces or Unicode hyphens", () => {
  // Written as escapes: the characters look like plain spaces and hyphens in an editor.
  it.each([
    ["card 4111\u00a01111\u00a01111\u00a01111 exp 09/27", "card <CREDIT_CARD_1> exp 09/27"],
    ["card 4111\u202f1111\u202f1111\u202f1111", "card <CREDIT_CARD_1>"],
    ["card 5500\u20110000\u20110000\u20110004", "card <CREDIT_CARD_1>"],
    ["Appelez-moi au +33\u00a06\u00a012\u00a034\u00a056\u00a078 demain", "Appelez-moi au <PHONE_NUMBER_1> demain"],
    ["Téléphone : 01\u202f42\u202f68\u202f53\u202f00", "Téléphone : <PHONE_NUMBER_1>"],
    ["call 415\u2010555\u20100132 tomorrow", "call <PHONE_NUMBER_1> tomorrow"],
  ])("pseudonymizes the number in %j", (text, cloud) => {
    expect(cloudText(text)).toBe(cloud);
  });

  it("still rejects a card number that mixes a space and a dash, whichever space it is", () => {
    expect(found(engine, "card 4111-1111\u00a01111-1111 mixed").filter(([type]) => type === "CREDIT_CARD")).toEqual([]);
  });
});

describe("IBANs typed in lower case", () => {
  it.each([
    ["my iban is de89 3704 0044 0532 0130 00 thanks", "my iban is <IBAN_CODE_1> thanks"],
    ["pay gb82west12345698765432 now", "pay <IBAN_CODE_1> now"],
    ["to fr14 2004 1010 0505 0001 3m02 606 then confirm", "to <IBAN_CODE_1> then confirm"],
  ])("pseudonymizes the IBAN in %j", (text, cloud) => {
    expect(cloudText(text)).toBe(cloud);
  });

  it.each(["iban de89 3704 0044 0532 0130 01 (bad checksum)", "build ab12 was computed over twenty files", "commit de12f0a9c3b4e5d6a7b8c9d0e1f2a3b4c5d6e7f8"])(
    "finds no IBAN in %j",
    (text) => {
      expect(found(engine, text).filter(([type]) => type === "IBAN_CODE")).toEqual([]);
    },
  );
});

describe("IBANs split by hyphens", () => {
  it.each([
    ["wire to DE89-3704-0044-0532-0130-00 please", "wire to <IBAN_CODE_1> please"],
    ["my iban is de89-3704-0044-0532-0130-00 thanks", "my iban is <IBAN_CODE_1> thanks"],
    ["IBAN: GB82-WEST-1234-5698-7654-32.", "IBAN: <IBAN_CODE_1>."],
    ["to DE89-3704-0044-0532-0130-00-2024 ref", "to <IBAN_CODE_1>-2024 ref"],
  ])("pseudonymizes the IBAN in %j", (text, cloud) => {
    expect(cloudText(text)).toBe(cloud);
  });

  it.each([
    "iban DE89-3704-0044-0532-0130-01 (bad checksum)",
    "iban DE89-3704 0044-0532-0130-00 mixes a hyphen and a space",
    "request id de12-f0a9-c3b4-e5d6-a7b8-c9d0",
  ])("finds no IBAN in %j", (text) => {
    expect(found(engine, text).filter(([type]) => type === "IBAN_CODE")).toEqual([]);
  });
});

describe("card numbers split by dots", () => {
  it.each([
    ["card 5555.5555.5555.4444 exp 09/27", "card <CREDIT_CARD_1> exp 09/27"],
    ["visa 4111.1111.1111.1111.", "visa <CREDIT_CARD_1>."],
    ["amex 3782.822463.10005 please", "amex <CREDIT_CARD_1> please"],
  ])("pseudonymizes the number in %j", (text, cloud) => {
    expect(cloudText(text)).toBe(cloud);
  });

  it.each([
    "card 5555.5555.5555.4445 (bad checksum)",
    "card 5555.5555 5555.4444 mixes a dot and a space",
    "card 5555.5555-5555.4444 mixes a dot and a dash",
    "ratio 5555.555555554444 is a decimal",
    "build 1.5555.5555.5555.4444 is a dotted version",
    "build 5555.5555.5555.4444.1 is a dotted version",
  ])("finds no card in %j", (text) => {
    expect(found(engine, text).filter(([type]) => type === "CREDIT_CARD")).toEqual([]);
  });
});

describe("birth dates written year first with slashes", () => {
  it.each([
    ["Date of birth: 1985/03/12", "Date of birth: <DATE_TIME_1>"],
    ["born 1990/7/4 in Osaka", "born <DATE_TIME_1> in <LOCATION_1>"],
    ["DOB 2001/12/31, member since 2019", "DOB <DATE_TIME_1>, member since 2019"],
  ])("pseudonymizes the date in %j", (text, cloud) => {
    expect(cloudText(text)).toBe(cloud);
  });

  it.each([
    "the meeting moved to 1985/03/12",
    "Date of birth: 1985/13/12 is no month",
    "Date of birth: 1985/03/32 is no day",
    "born in the file 1985/03/123",
    "date of birth field is 1985-03/12 mixed",
  ])("finds no date in %j", (text) => {
    expect(found(engine, text).filter(([type]) => type === "DATE_TIME")).toEqual([]);
  });
});

describe("IPv4 addresses with every octet padded to three digits", () => {
  it.each([
    ["ip 192.168.001.024", "ip <IP_ADDRESS_1>"],
    ["blocked 010.000.000.001 at the firewall", "blocked <IP_ADDRESS_1> at the firewall"],
    ["connection reset by 192.168.001.024.", "connection reset by <IP_ADDRESS_1>."],
  ])("pseudonymizes the address in %j", (text, cloud) => {
    expect(cloudText(text)).toBe(cloud);
  });

  it.each([
    "upgraded to version 1.2.3.4 today",
    "version 001.002.003.004",
    "build 010.020.030.040 released",
    "updated 1.02.03.04 yesterday",
    "ip 256.001.002.003",
    "ip 192.168.001.0240",
    "ip 192.168.001.024.005",
    "ip 001.192.168.001.024",
  ])("finds no address in %j", (text) => {
    expect(found(engine, text).filter(([type]) => type === "IP_ADDRESS")).toEqual([]);
  });
});
