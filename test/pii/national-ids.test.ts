/**
 * Identity and tax numbers of the countries the default policy reads phone numbers for: a user in
 * London, Madrid or Bangalore pasting their own number must not send it to the cloud in clear. Numbers
 * that only a check digit tells apart from any other count need a word about them; the same digits as
 * an order number or a build time are left alone.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { createPiiEngine, createSanitizer, PseudonymVault, type PiiEngine } from "../../src/pii/index.js";
import { defaultPolicy, found, policyWith } from "./support.js";

let engine: PiiEngine;
beforeAll(() => {
  engine = createPiiEngine(defaultPolicy());
});

describe("a national identity number", () => {
  it.each([
    ["My National Insurance number is HH 01 23 45 D.", "UK_NINO", "HH 01 23 45 D"],
    ["NI number: HH012345D", "UK_NINO", "HH012345D"],
    ["Mi DNI es 54362315K y vivo en Madrid.", "ES_NIF", "54362315K"],
    ["DNI: 54362315-K", "ES_NIF", "54362315-K"],
    ["mi dni es 54362315k", "ES_NIF", "54362315k"],
    ["NIE X-2482300-W", "ES_NIE", "X-2482300-W"],
    ["Il mio codice fiscale è RCCMNL83S18D969H.", "IT_FISCAL_CODE", "RCCMNL83S18D969H"],
    ["His PAN card number is ACUPA7085R.", "IN_PAN", "ACUPA7085R"],
    ["Aadhaar: 2341 2341 2346", "IN_AADHAAR", "2341 2341 2346"],
    ["Numéro de sécurité sociale : 2 95 10 99 126 111 93", "FR_NIR", "2 95 10 99 126 111 93"],
    ["Meine Steueridentifikationsnummer ist 36574261809.", "DE_TAX_ID", "36574261809"],
    ["Steuer-ID: 36 574 261 809", "DE_TAX_ID", "36 574 261 809"],
    ["Mijn burgerservicenummer is 111222333.", "NL_BSN", "111222333"],
    ["BSN: 1112.22.333", "NL_BSN", "1112.22.333"],
    ["My social insurance number is 046-454-286.", "CA_SIN", "046-454-286"],
    ["TFN 123 456 782", "AU_TFN", "123 456 782"],
  ])("is found in %s", (text, type, value) => {
    expect(found(engine, text)).toContainEqual([type, value]);
  });

  it.each([
    // Check digits wrong: a typo or an invented number.
    "Mi DNI es 54362315Z.",
    "Codice fiscale RCCMNL83S18D967H",
    "BSN: 111222334",
    // The same digits as counts and references, with no word about an identity number.
    "Order 123456782 shipped.",
    "The build took 123456782 ns.",
    "Invoice 36574261809 is overdue.",
    "Totals: 111222333 rows.",
    "See RFC 2341 2341 2346.",
    "Product code ABCPE1234F is discontinued.",
    "Version AB123456C of the firmware.",
  ])("is not read into %s", (text) => {
    const types = found(engine, text).map(([type]) => type);
    expect(types.filter((type) => /^(?:UK|ES|IT|IN|FR|DE|NL|CA|AU)_/.test(type))).toEqual([]);
  });

  it.each([
    // A label outranks a field name beside it: forms put "tel" or "account" right after the number.
    ["Naam: Jan Jansen, BSN: 111222333, tel: 0612345678", "NL_BSN", "111222333"],
    ["Steuer-ID 36574261809, Tel. 030 1234567", "DE_TAX_ID", "36574261809"],
    ["Ref: BSN 111222333", "NL_BSN", "111222333"],
    ["My TFN 123 456 782 (account 1234)", "AU_TFN", "123 456 782"],
    ["Employee ID 4711, SIN: 046-454-286, version 2", "CA_SIN", "046-454-286"],
    // The ways people write them.
    ["DNI: 54.362.315-K", "ES_NIF", "54.362.315-K"],
    ["CF: rccmnl83s18d969h", "IT_FISCAL_CODE", "rccmnl83s18d969h"],
    ['{"codice_fiscale": "rccmnl83s18d969h"}', "IT_FISCAL_CODE", "rccmnl83s18d969h"],
    ["PAN: acupa7085r", "IN_PAN", "acupa7085r"],
    ["NINO: hh012345d", "UK_NINO", "hh012345d"],
    ["BSN 111 222 333", "NL_BSN", "111 222 333"],
    ["BSN 111-222-333", "NL_BSN", "111-222-333"],
    ["TFN 123-456-782", "AU_TFN", "123-456-782"],
    ["NIR 2-95-10-99-126-111-93", "FR_NIR", "2-95-10-99-126-111-93"],
    ["aadhaarNumber: 2341 2341 2346", "IN_AADHAAR", "2341 2341 2346"],
    ['{"bsnNummer": "111222333"}', "NL_BSN", "111222333"],
    ["taxFileNumber: 123456782", "AU_TFN", "123456782"],
    ["socialInsuranceNumber=046454286", "CA_SIN", "046454286"],
    ['{"sin": "046454286"}', "CA_SIN", "046454286"],
    ["SIN NUMBER: 046 454 286", "CA_SIN", "046 454 286"],
    // Written apart, dashed or glued in lower case: read only beside a label.
    ["DNI: 12345678 Z", "ES_NIF", "12345678 Z"],
    ["NIE: X 1234567 L", "ES_NIE", "X 1234567 L"],
    ["NINO: JG-10-37-59-A", "UK_NINO", "JG-10-37-59-A"],
    ["Numéro de sécu: 2690549588157 80", "FR_NIR", "2690549588157 80"],
    ["N° SS : 2 69 05 49 588 157 80", "FR_NIR", "2 69 05 49 588 157 80"],
    ["आधार संख्या: 2341 2341 2346", "IN_AADHAAR", "2341 2341 2346"],
    // A label at the end of a field's name.
    ['{"customer_bsn": "123456782"}', "NL_BSN", "123456782"],
    ["employee_tfn: 123456782", "AU_TFN", "123456782"],
    ["client_steuerid=12345678903", "DE_TAX_ID", "12345678903"],
    ["cliente_dni: 12345678z", "ES_NIF", "12345678z"],
    ["applicant_pan_number: ABCPE1234F", "IN_PAN", "ABCPE1234F"],
    ["employee_social_insurance: 046454286", "CA_SIN", "046454286"],
    // Forms in capitals: a word after the acronym.
    ["PAN DETAILS: ABCPE1234F", "IN_PAN", "ABCPE1234F"],
    ["EMPLOYEE SIN CARD: 046 454 286", "CA_SIN", "046 454 286"],
    // DNIs ending in K, M or G beside other such DNIs, or beside a plan's sizes.
    ["Ana Pérez 45098421K, Luis Gómez 45098405M", "ES_NIF", "45098405M"],
    ['["45098421K","12345678Z","45098405M"]', "ES_NIF", "45098421K"],
    ["Titular: Ana Pérez (45098421K). Cotitular: Luis Gómez (45098405M).", "ES_NIF", "45098421K"],
    ["45098421K,Ana,Tarifa 10GB,29.99", "ES_NIF", "45098421K"],
    ["Cliente 45098421K contrató fibra 600M y móvil 5G", "ES_NIF", "45098421K"],
    // Words that are also memory columns' names, with no other size on the line.
    ["Customer 45098421K used the voucher", "ES_NIF", "45098421K"],
    ["Socio 45098421K total pagado 120 €", "ES_NIF", "45098421K"],
    // Keys in TOML/INI, and a CSV header with spaces.
    ["sin = 046454286", "CA_SIN", "046454286"],
    ['[employee]\nname = "Ana"\nsin = "046454286"', "CA_SIN", "046454286"],
    ["tin = 12345678903", "DE_TAX_ID", "12345678903"],
    ["employee_id, sin, start\n1001, 046454286, 2020", "CA_SIN", "046454286"],
  ])("is found when labelled: %s", (text, type, value) => {
    expect(found(engine, text)).toContainEqual([type, value]);
  });

  // A CSV row puts a date, an age or an amount right beside the number, after a comma.
  it.each([
    ["nombre,dni,fecha_alta\nJuan Pérez,12345678Z,2023-05-01", "ES_NIF", "12345678Z"],
    ["name,nino,dob\nJane Smith,JG103759A,1980-01-01", "UK_NINO", "JG103759A"],
    ["name,bsn,salary\nJan,111222333,52000", "NL_BSN", "111222333"],
    ["id,bsn\n7,111222333", "NL_BSN", "111222333"],
    ["codice_fiscale,data\nRSSMRA85T10A562S,2024-01-01", "IT_FISCAL_CODE", "RSSMRA85T10A562S"],
    ["employee_id,sin,start\n1001,046454286,2020-01-15", "CA_SIN", "046454286"],
    ["BSN 111222333,0612345678", "NL_BSN", "111222333"],
    ["id;sin;nombre\n1;046454286;Ana", "CA_SIN", "046454286"],
    // A row's 0 before the number: pandas' index column, or a field of its own.
    ["idx,bsn\n0,111222333", "NL_BSN", "111222333"],
    [",sin,name\n0,046454286,Ana\n1,130692544,Bob", "CA_SIN", "046454286"],
    ["0,12345678Z,Ana", "ES_NIF", "12345678Z"],
  ])("is found in a CSV row: %s", (text, type, value) => {
    expect(found(engine, text)).toContainEqual([type, value]);
  });

  it.each([
    // Labels that are ordinary words in lower case, or other things in capitals.
    "PRECIOS SIN IVA - TEL 612345678",
    // Lower-case acronyms label only as a field's name: not in an equation or a list in prose.
    "sin = 0,289895500",
    "Compré pan, leche y huevos. Ref ABCPE1234F",
    "café sin, ref 046454286",
    "ENVÍO SIN COSTO. PEDIDO 123456782",
    "TOTAL SIN IVA: 046 454 286",
    // A PAN has no check character: its shape alone is a log message's id, a barcode, a coupon.
    "E CWOAU0061E: The OAuth service provider could not find the client",
    "Test IDs: TESTP0001A, TESTP0002B, TESTP0003C all passed.",
    "Coupon codes this week: GIFTB1234C",
    // Memory sizes in K, and in lower case k, are no DNI.
    "[GC (Allocation Failure) [PSYoungGen: 16777233K->1048576K(14680064K)] 16777256K->5242880K(50331648K), 0.0123 secs]",
    "Mem:  16777279k total, 15832456k used",
    "Mem:  16777279K total, 15832456K used",
    "PSYoungGen      total 45098421K, used 8388608K",
    "rss 45098421K vsz 8388608K",
    // A decimal's fraction after "0," is no number of its own, even beside a label.
    "BSN: x = 0,111222333",
    "Pedido 046454286 sin enviar todavía",
    "y = Math.sin(t) * 046454286",
    "backup to NAS job 046454286 done",
    "Sofi paid 111222333 yesterday",
    "uid=234123412346 gid=1000",
    // A number, then a one-letter word: no DNI.
    "Facturas 54362315 K y 58214436",
    "artifact build-54362315-K uploaded",
  ])("is not read into %s", (text) => {
    const types = found(engine, text).map(([type]) => type);
    expect(types.filter((type) => /^(?:UK|ES|IT|IN|FR|DE|NL|CA|AU)_/.test(type))).toEqual([]);
  });

  it("checks 100 KB of wrong labelled numbers well inside the scan budget", () => {
    const text = "BSN 111222334, SIN 046454287, DNI 54362315Z\n".repeat(2_300);
    expect(() => engine.scan(text)).not.toThrow();
  });

  it("takes a bare check-digit number when ops lower its threshold", () => {
    const eager = createPiiEngine(policyWith({ entities: { ...defaultPolicy().entities, NL_BSN: { threshold: 0.3 } } }));
    expect(found(eager, "Ref 111222333")).toEqual([]);
    expect(found(eager, "Stuur het naar 111222333 vandaag")).toContainEqual(["NL_BSN", "111222333"]);
  });

  it("leaves for the cloud as one placeholder however it is written", () => {
    const sanitizer = createSanitizer({ policy: defaultPolicy(), engine, env: {} });
    const content = "NI number HH 01 23 45 D, again: NI number HH012345D";
    const outcome = sanitizer.sanitizeForCloud({ model: "gpt-4o-mini", messages: [{ role: "user", content }] }, { vault: new PseudonymVault(), tenant: "t" });
    if (outcome.kind !== "cloud") throw new Error(`expected a cloud request, got ${outcome.kind}`);
    const sent = JSON.stringify(outcome.request);
    expect(sent).not.toMatch(/012345|01 23 45/);
    expect(new Set(sent.match(/<UK_NINO_\d+>/g))).toEqual(new Set(["<UK_NINO_1>"]));
  });
});
