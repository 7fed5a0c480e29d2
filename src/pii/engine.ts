import type { CountryCode } from "libphonenumber-js/max";
import { NO_DEADLINE, PiiScanError, type Deadline } from "./budget.js";
import type { Entity } from "./entity.js";
import { thresholdFor, type PiiPolicy } from "./policy/schema.js";
import { birthDateRecognizer } from "./recognizers/birth-date.js";
import { creditCardRecognizer } from "./recognizers/credit-card.js";
import { cryptoRecognizer } from "./recognizers/crypto.js";
import { customRecognizer } from "./recognizers/custom.js";
import { emailRecognizer } from "./recognizers/email.js";
import { compromiseGazetteers } from "./recognizers/gazetteers.js";
import { ibanRecognizer } from "./recognizers/iban.js";
import { ipv4Recognizer, ipv6Recognizer } from "./recognizers/ip-address.js";
import { macAddressRecognizer } from "./recognizers/mac-address.js";
import { nameAndPlaceRecognizer } from "./recognizers/names.js";
import { phoneRecognizer } from "./recognizers/phone.js";
import type { Recognizer } from "./recognizers/recognizer.js";
import { secretRecognizers } from "./recognizers/secret.js";
import { urlRecognizer } from "./recognizers/url.js";
import { usSsnRecognizer } from "./recognizers/us-ssn.js";
import { resolveOverlaps } from "./resolve.js";

export interface PiiEngine {
  /**
   * Entities in `text` sorted by position, each at or above its type's threshold, overlaps merged.
   * Throws `PiiScanError` when the text is over the policy's size limit, the deadline passes or a
   * recognizer fails; callers on the egress path must treat that as "not safe to send".
   */
  scan(text: string, deadline?: Deadline): Entity[];
  /** The recognizers in the order they run, for diagnostics and benchmarks. */
  readonly recognizers: readonly Recognizer[];
}

export interface PiiEngineOptions {
  /** Leave out PERSON/LOCATION (the gazetteer recognizer), e.g. to measure the pattern recognizers alone. */
  names?: boolean;
}

/**
 * Builds the recognizers a policy asks for. Building is the expensive part (the name gazetteers), so
 * build one engine per policy and share it; `scan` keeps no state between calls.
 *
 * @example
 * const engine = createPiiEngine(await loadPiiPolicy("policies/pii.yaml"));
 * engine.scan("mail jane.doe@example.com"); // [{ type: "EMAIL_ADDRESS", start: 5, end: 25, score: 1 }]
 */
export function createPiiEngine(policy: PiiPolicy, options: PiiEngineOptions = {}): PiiEngine {
  const recognizers: Recognizer[] = [
    emailRecognizer(),
    urlRecognizer(),
    ...secretRecognizers(),
    creditCardRecognizer(),
    usSsnRecognizer(),
    ibanRecognizer(),
    phoneRecognizer(policy.phone_regions as CountryCode[]),
    ipv4Recognizer(),
    ipv6Recognizer(),
    macAddressRecognizer(),
    cryptoRecognizer(),
    birthDateRecognizer(),
    ...policy.custom_recognizers.map(customRecognizer),
  ];
  if (options.names !== false) recognizers.push(nameAndPlaceRecognizer(compromiseGazetteers()));
  const thresholds = new Map<string, number>();
  const threshold = (type: string) => {
    let value = thresholds.get(type);
    if (value === undefined) thresholds.set(type, (value = thresholdFor(policy, type)));
    return value;
  };
  const maxChars = policy.scan.max_text_chars;

  return {
    recognizers,
    scan(text, deadline = NO_DEADLINE) {
      if (text.length > maxChars) {
        throw new PiiScanError("text_too_long", `text of ${text.length} characters exceeds the PII scan limit of ${maxChars}`);
      }
      const found: Entity[] = [];
      for (const recognizer of recognizers) {
        try {
          recognizer.scan(text, found, deadline);
        } catch (error) {
          if (error instanceof PiiScanError) throw error;
          throw new PiiScanError("recognizer_error", `PII recognizer '${recognizer.name}' failed`, { cause: error });
        }
        deadline.check();
      }
      return resolveOverlaps(found.filter((e) => e.score >= threshold(e.type)));
    },
  };
}
