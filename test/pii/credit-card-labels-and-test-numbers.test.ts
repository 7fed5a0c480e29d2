/**
 * What a user noticed: numbers that pass the card checksum but are labelled as something else ("Our sku
 * 5555555555554444", "Confirmation number: 4532015112830366", "IMEI 490154203237518") and the test cards
 * that payment providers publish for sandboxes ("Stripe test card 4242 4242 4242 4242") were reported as
 * CREDIT_CARD, so the request was routed away from the cloud and the cloud saw <CREDIT_CARD_1> in place of
 * the SKU or the test number it was asked about. A card number introduced as a card is still found.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { createPiiEngine, type PiiEngine } from "../../src/pii/index.js";
import { defaultPolicy, valuesOf } from "./support.js";

let engine: PiiEngine;
beforeAll(() => {
  engine = createPiiEngine(defaultPolicy());
});

const cards = (text: string) => valuesOf(engine, "CREDIT_CARD", text);

describe("CREDIT_CARD candidates labelled as another identifier", () => {
  it.each([
    "Our sku 5555555555554444 is out of stock",
    "Confirmation number: 4532015112830366",
    "IMEI 490154203237518 is blacklisted?",
    "Account reference 6011000990139424 was used for the refund in our ledger",
    "Serial number 5105105105105100 on the device label",
    "Ref #4532015112830366 in the ledger",
    "order no. 4532015112830366 has shipped",
  ])("finds none in %j", (text) => {
    expect(cards(text)).toEqual([]);
  });

  it.each([
    ["Confirmation number 88213: my card 4532015112830366 was charged twice", "4532015112830366"],
    ["For reference, my card is 4532 0151 1283 0366.", "4532 0151 1283 0366"],
    ["IMEI 490154203237518, paid with card 5425233430109903", "5425233430109903"],
  ])("finds the card in %j", (text, value) => {
    expect(cards(text)).toEqual([value]);
  });
});

describe("CREDIT_CARD and payment providers' published test numbers", () => {
  it.each([
    "Stripe test card 4242 4242 4242 4242 declines in my checkout",
    "In the sandbox, use 4000 0566 5566 5556 for a debit card",
    "The Braintree test Visa 4111111111111111 is accepted, 4000111111111115 is declined",
    "stripe.paymentMethods.create({ type: 'card', card: { number: '5555555555554444' } })",
  ])("finds none in %j", (text) => {
    expect(cards(text)).toEqual([]);
  });

  it.each([
    // A test number without a word saying it is one is treated as any card: the text may be real.
    ["my card is 4111 1111 1111 1111", "4111 1111 1111 1111"],
    // A real-looking card in a test conversation is still a card.
    ["test the refund on my card 4532015112830366", "4532015112830366"],
  ])("finds the card in %j", (text, value) => {
    expect(cards(text)).toEqual([value]);
  });
});
