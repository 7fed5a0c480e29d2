/**
 * What a user noticed: a card number right after the bare word "order" or "invoice" ("Refund the order
 * 4532 0151 1283 0366", "order 5425233430109903") was taken for an order number and reached the cloud in
 * clear. Those words label a number only with number/no/id/code, ":" or "#" ("order no. …" is still no card).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { createPiiEngine, type PiiEngine } from "../../src/pii/index.js";
import { defaultPolicy, valuesOf } from "./support.js";

let engine: PiiEngine;
beforeAll(() => {
  engine = createPiiEngine(defaultPolicy());
});

const cards = (text: string) => valuesOf(engine, "CREDIT_CARD", text);

describe("CREDIT_CARD after a bare order or invoice word", () => {
  it.each([
    ["Refund the order 4532 0151 1283 0366", "4532 0151 1283 0366"],
    ["order 5425233430109903", "5425233430109903"],
    ["Send the invoice 4532015112830366 today", "4532015112830366"],
  ])("finds the card in %j", (text, value) => {
    expect(cards(text)).toEqual([value]);
  });
});
