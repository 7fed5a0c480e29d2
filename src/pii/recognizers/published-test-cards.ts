/**
 * Card numbers that payment providers publish for their sandboxes. No issuer hands them to a customer,
 * so in a text that says it is testing they are examples, not anyone's card.
 */
import { lineBefore } from "./lines.js";

export const PUBLISHED_TEST_CARDS: ReadonlySet<string> = new Set([
  // Stripe (docs.stripe.com/testing)
  "4242424242424242", "4000056655665556", "5555555555554444", "2223003122003222", "5200828282828210",
  "5105105105105100", "378282246310005", "371449635398431", "6011111111111117", "6011000990139424",
  "3056930009020004", "36227206271667", "6555900000604105", "3566002020360505", "6200000000000005",
  "4000002500003155", "4000000000000002", "4000000000009995", "4000000000000077", "4000000000000341",
  "4000002760003184", "4000000000003220",
  // Braintree (developer.paypal.com/braintree/docs/reference/general/testing)
  "4111111111111111", "4005519200000004", "4009348888881881", "4012000033330026", "4012000077777777",
  "4012888888881881", "4217651111111119", "4500600000000061", "4000111111111115", "2223000048400011",
  "3530111333300000",
  // Adyen (docs.adyen.com/development-resources/testing/test-card-numbers) and other sandboxes
  "4111111145551142", "5555444433331111", "4988438843884305", "370000000000002", "6011601160116611",
  "5500000000000004",
]);

// Words that say the text is about a sandbox. Not part of an e-mail address or a host name
// ("test@example.com" says nothing about the card next to it).
const TESTING = /(?<![\w@.-])(?:test(?:ing)?|sandbox|dummy|fake|stripe|braintree|adyen)(?![\w@-])/i;
// How far on the card's own line a testing word may be: a call such as
// `stripe.paymentMethods.create({ type: 'card', card: { number: '…' } })` puts the provider far ahead.
const LINE_REACH = 120;

/** True when `digits` is a published test card and the line around it says it is testing. */
export function isTestCardInTestingText(digits: string, text: string, start: number, end: number): boolean {
  if (!PUBLISHED_TEST_CARDS.has(digits)) return false;
  // The line's end is looked for within the reach only: searched to the text's end, it made a text of
  // one long line (minified JSON with a test card in every record) quadratic in its cards.
  const after = text.slice(end, end + LINE_REACH);
  const lineEnd = after.indexOf("\n");
  return TESTING.test(lineBefore(text, start, LINE_REACH)) || TESTING.test(lineEnd === -1 ? after : after.slice(0, lineEnd));
}
