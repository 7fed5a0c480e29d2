import type { CountryCode } from "libphonenumber-js/max";
import { NO_DEADLINE, PiiScanError, type Deadline } from "./budget.js";
import { BUILTIN_ENTITY_TYPES, type Entity } from "./entity.js";
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
import { nationalIdRecognizer } from "./recognizers/national-ids.js";
import { nameColumnsRecognizer } from "./recognizers/name-columns.js";
import { nameFieldsRecognizer } from "./recognizers/name-fields.js";
import { nameAndPlaceRecognizer } from "./recognizers/names.js";
import { phoneRecognizer } from "./recognizers/phone.js";
import type { Recognizer } from "./recognizers/recognizer.js";
import { secretRecognizers } from "./recognizers/secret.js";
import { urlRecognizer } from "./recognizers/url.js";
import { usSsnRecognizer } from "./recognizers/us-ssn.js";
import { readEscapes } from "./decode.js";
import { lineEscapeLength, lineEscapeReading } from "./line-escapes.js";
import { normalizeForScan } from "./normalize.js";
import { resolveOverlaps } from "./resolve.js";
import { createScanCache, MIN_CACHED_CHARS, type ScannedEntities } from "./scan-cache.js";
import { startsAtWhiteSpace, windowsToWhiteSpace } from "./windows.js";

export interface PiiEngine {
  /**
   * Entities in `text` sorted by position, each at or above its type's threshold, overlaps merged.
   * Throws `PiiScanError` when the text is over the policy's size limit, the deadline passes or a
   * recognizer fails; callers on the egress path must treat that as "not safe to send".
   * With a `cacheScope` (the tenant) the findings of a long text are remembered for that scope
   * (scan-cache.ts); without one the text is always scanned.
   */
  scan(text: string, deadline?: Deadline, cacheScope?: string): ScannedEntities;
  /** The recognizers in the order they run, for diagnostics and benchmarks. */
  readonly recognizers: readonly Recognizer[];
  /**
   * The entity types this engine can report: the built-in ones and its policy's custom recognizers'.
   * The routing policy checks `pii_found` against them, not against pii.yaml as it is on disk now.
   */
  readonly entityTypes: readonly string[];
}

export interface PiiEngineOptions {
  /** Leave out PERSON/LOCATION (the gazetteer recognizer), e.g. to measure the pattern recognizers alone. */
  names?: boolean;
  /** Texts whose entities are remembered (the policy's `scan.cache_entries` unless given; 0: scan every time). */
  cacheEntries?: number;
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
  const thresholds = new Map<string, number>();
  const threshold = (type: string) => {
    let value = thresholds.get(type);
    if (value === undefined) thresholds.set(type, (value = thresholdFor(policy, type)));
    return value;
  };
  const recognizers: Recognizer[] = [
    emailRecognizer(),
    urlRecognizer(),
    ...secretRecognizers(),
    creditCardRecognizer(),
    usSsnRecognizer(),
    nationalIdRecognizer(threshold),
    ibanRecognizer(),
    phoneRecognizer(policy.phone_regions as CountryCode[]),
    ipv4Recognizer(),
    ipv6Recognizer(),
    macAddressRecognizer(),
    cryptoRecognizer(),
    birthDateRecognizer(),
    ...policy.custom_recognizers.map(customRecognizer),
  ];
  if (options.names !== false) {
    const gazetteers = compromiseGazetteers();
    recognizers.push(nameAndPlaceRecognizer(gazetteers), nameFieldsRecognizer(gazetteers), nameColumnsRecognizer());
  }

  const maxChars = policy.scan.max_text_chars;

  function detect(text: string, deadline: Deadline): Entity[] {
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
  }

  /**
   * `detect` on the text as a cloud model reads it, with offsets into `text` as written: normalised
   * (normalize.ts), and when it holds escapes (`%40`, `\u0040`, `&#64;`, `+` in a query, `=C3=A9` in a
   * quoted-printable mail, base64 JSON) also decoded (decode.ts). The decoded reading adds to the
   * written one rather than replacing it: `https://x.io/a%20b` decoded is a URL ending at the space,
   * while as written it is one URL whole. Only the decoded text around the escapes is scanned: a long
   * text with one `%20` costs little more than one scan.
   */
  function detectAsRead(text: string, deadline: Deadline): Entity[] {
    const written = detectWithLineEscapes(text, deadline);
    const reading = readEscapes(text, deadline);
    if (reading === undefined) return written;
    // Few escapes in a long text: each stretch around them decoded and scanned on its own. Escapes
    // throughout (an HTML page, ensure_ascii JSON): the whole text decoded once, and only the stretches
    // around escapes that can change a finding scanned (decoded.around).
    const windows = reading.windows(DECODED_CONTEXT);
    let covered = 0;
    for (const [from, to] of windows) covered += to - from;
    if (covered * 2 < text.length) {
      const found: Entity[] = [];
      for (const [from, to] of windows) {
        const decoded = reading.decoded(from, to);
        if (decoded === undefined) continue;
        found.push(...shifted(decoded.toOriginal(detectWithLineEscapes(decoded.text, deadline)), from));
      }
      return resolveOverlaps([...written, ...found]);
    }
    const decoded = reading.decoded();
    if (decoded === undefined) return written;
    const found: Entity[] = [];
    for (const [from, to] of decoded.around(DECODED_CONTEXT)) {
      found.push(...shifted(detectWithLineEscapes(decoded.text.slice(from, to), deadline), from));
    }
    return resolveOverlaps([...written, ...decoded.toOriginal(found)]);
  }

  /**
   * `detectNormalized` on the text, and where a `\n`, `\r` or `\t` escape is glued to a value ("Best,\nMaria
   * Gonzalez" in JSON) also on it with the escapes read as white space (line-escapes.ts), whose offsets
   * are the text's: beside the text as written, whose secrets may hold such a pair of characters
   * (`"password": "Tq\\r7#kLm!9zQ"`). Few escapes in a long text: only the stretches around them.
   */
  function detectWithLineEscapes(text: string, deadline: Deadline): Entity[] {
    const written = withoutEscapeLetters(text, detectNormalized(text, deadline));
    const reading = lineEscapeReading(text, DECODED_CONTEXT, deadline);
    if (reading === undefined) return written;
    const windows = windowsToWhiteSpace(text, reading.windows, WIDENING_LIMIT);
    let covered = 0;
    for (const [from, to] of windows) covered += to - from;
    if (covered * 2 >= text.length) return resolveOverlaps([...written, ...detectNormalized(reading.read(), deadline)]);
    const found: Entity[] = [];
    for (const [from, to] of windows) {
      // A start the widening found no white space for (minified JSON has none) may cut a value before the
      // escape, found as written: its tail could pass for another (the last 16 digits of an 18-digit order
      // id as a card), so what touches it is left out. A cut end is kept: what runs past it starts after
      // the escape, where only this reading sees it (a long URL's head is masked, not the whole URL sent).
      const cutStart = !startsAtWhiteSpace(text, from);
      for (const entity of detectNormalized(reading.read(from, to), deadline)) {
        if (cutStart && entity.start === 0) continue;
        found.push({ ...entity, start: entity.start + from, end: entity.end + from });
      }
    }
    return resolveOverlaps([...written, ...found]);
  }

  function detectNormalized(text: string, deadline: Deadline): Entity[] {
    const normalized = normalizeForScan(text, { deadline, maxChars });
    if (normalized === undefined) return detect(text, deadline);
    return resolveOverlaps(normalized.toOriginal(detect(normalized.text, deadline)));
  }

  // The first scans compile regexes and decode phone metadata (~60-80 ms); pay that at start-up, not
  // inside the first request's time budget, where it would fail closed. V8 compiles a regex apart for
  // strings stored one and two bytes a character (any character above U+00FF), and escapes are read
  // decoded: warmed on both, the first request with a curly quote or an escape does not pay ~15-20 ms
  // compiling them.
  for (const text of [WARM_UP, `${WARM_UP} – Łukasz O’Brien`]) for (let i = 0; i < 3; i++) detectAsRead(text, NO_DEADLINE);
  const cacheEntries = options.cacheEntries ?? policy.scan.cache_entries;
  const cache = cacheEntries > 0 ? createScanCache(cacheEntries) : undefined;
  return {
    recognizers,
    entityTypes: Object.freeze([...BUILTIN_ENTITY_TYPES, ...policy.custom_recognizers.map((recognizer) => recognizer.type)]),
    scan(text, deadline = NO_DEADLINE, cacheScope) {
      if (text.length > maxChars) {
        throw new PiiScanError("text_too_long", `text of ${text.length} characters exceeds the PII scan limit of ${maxChars}`);
      }
      if (cache && cacheScope !== undefined && text.length >= MIN_CACHED_CHARS) return cache.entitiesOf(cacheScope, text, (t) => detectAsRead(t, deadline));
      return Object.freeze(detectAsRead(text, deadline));
    },
  };
}

/**
 * Findings as written that start with a line escape's letter (`contact\nkwame.brandt@example.com` is an
 * address as written, `nkwame…`): the letter belongs to no value. Kept, it was masked with the value, which
 * left a lone backslash before the placeholder (an invalid JSON escape) and a wrong value to restore.
 */
function withoutEscapeLetters(text: string, entities: readonly Entity[]): Entity[] {
  return entities.map((entity) => {
    // `\u000a` too: its `u000a` is glued to the value as written.
    const letters = text[entity.start - 1] === "\\" ? lineEscapeLength(text, entity.start) : 0;
    const glued = letters > 0 && entity.end - entity.start > letters;
    return glued ? { ...entity, start: entity.start + letters } : entity;
  });
}

/** Findings in a slice of a text, with offsets into the text (the slice started at `by`). */
function shifted(entities: readonly Entity[], by: number): Entity[] {
  return entities.map((entity) => ({ ...entity, start: entity.start + by, end: entity.end + by }));
}

/**
 * How far around an escape its decoded text is scanned: longer than any value an escape sits in bar
 * PEM keys and long URLs (found whole as written), and than the context windows (48 characters).
 */
const DECODED_CONTEXT = 256;

/**
 * How far a stretch read around line escapes may move out to white space: past a long value that starts
 * near the escape (a URL or a JWT of some kilobytes in minified JSON), which a closer edge would cut; cut,
 * a token no longer matches at all, and as written the escape's letter hides its start. Not further: in a
 * text with no white space each escape then has ~16 K units scanned again, and 65 K (~130 K each) put a
 * few escapes in 900 KB of phone numbers past the scan's budget.
 */
const WIDENING_LIMIT = 8_192;

const WARM_UP = [
  "Mail ann.lee@example.com or call +1 415-555-0132 / 030 12345678 from 192.168.1.24 or 2001:db8::7334.",
  "Card 4111 1111 1111 1111, SSN 536-22-4187, IBAN DE89 3704 0044 0532 0130 00, mac 00:1A:2B:3C:4D:5E.",
  "https://example.com/a, 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2, born 12 March 1985, Dear Maria Gonzalez,",
  "42 Elm Street, Springfield, IL 62704, password=Hunter2x, Bearer abc123def456ghi789, sk-proj-Ab12Cd34Ef56Gh78Ij90.",
  "<p>Jos&eacute; Garc&iacute;a, ann.lee%40example.com, Zo\\u00eb M\\u00fcller, 2015-04-01.</p>",
].join("\n");
