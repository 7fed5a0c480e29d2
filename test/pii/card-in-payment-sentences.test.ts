/**
 * What a user noticed: a card number in a sentence that also names an order, an invoice or a reference
 * ("Card on file for this order: 4532 0151 1283 0366", "Payment reference: …") was taken for an order or
 * reference number and reached the cloud in clear. A card word (card, visa, payment, …) shortly before the
 * number means the number is the card, whatever other label stands next to it.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { createPiiEngine, type PiiEngine } from "../../src/pii/index.js";
import { defaultPolicy, valuesOf } from "./support.js";

let engine: PiiEngine;
beforeAll(() => {
  engine = createPiiEngine(defaultPolicy());
});

const cards = (text: string) => valuesOf(engine, "CREDIT_CARD", text);
const CARD = "4532 0151 1283 0366";

describe("CREDIT_CARD after a card word and another label", () => {
  it.each([
    `Card on file for this order: ${CARD}`,
    `The card I used for the order is ${CARD}, exp 04/27`,
    `Card used on invoice: ${CARD}`,
    `Payment reference: ${CARD}`,
    `Paid by Visa, order #${CARD}`,
  ])("finds the card in %j", (text) => {
    expect(cards(text)).toEqual([CARD]);
  });

  it.each([
    // "is" after a bare label word is how a sentence goes on, not how an identifier is labelled.
    `The problem with the order is ${CARD}`,
  ])("finds the card in %j", (text) => {
    expect(cards(text)).toEqual([CARD]);
  });
});
