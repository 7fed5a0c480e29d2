/**
 * Presidio-style context enhancement: words near a match make it more or less likely to be the entity
 * ("SSN 078-05-1121" vs "order 078-05-1121"). Scores move by a fixed step and a supported match never
 * drops below a floor, as in Presidio's LemmaContextAwareEnhancer.
 */
export interface ContextWords {
  /** Words or short phrases that make the match more likely. */
  positive?: readonly string[];
  /** Words that make it less likely (order numbers, versions, …). */
  negative?: readonly string[];
  /**
   * Negative words that also count as the last word of a camelCase identifier ("AssemblyVersion" for
   * "version"). Opt-in per recognizer: for most words the identifier names a neighbouring field, not the
   * match ("userId" next to a phone number, "homePhone" next to an SSN, "WhatsApp" for "app").
   */
  negativeIdentifierTails?: readonly string[];
}

export interface ContextMatcher {
  adjust(text: string, start: number, end: number, score: number): number;
  /** True when a positive context word is near the span. */
  supports(text: string, start: number, end: number): boolean;
}

const BOOST = 0.35;
const MIN_WITH_SUPPORT = 0.4;
const WINDOW_BEFORE = 48;
const WINDOW_AFTER = 24;
// Counter-evidence must be close: "order 4155550132" is an order number, but "account manager: spoke
// with … (+1 312-377-1674)" is still a phone number.
const NEGATIVE_BEFORE = 20;
const NEGATIVE_AFTER = 12;

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

function phraseRegex(words: readonly string[] | undefined): RegExp | null {
  if (!words || words.length === 0) return null;
  const alternatives = words.map((w) => escape(w.toLowerCase()).replace(/ /g, "[\\s_-]+"));
  return new RegExp(`(?<![a-z0-9])(?:${alternatives.join("|")})(?![a-z0-9])`, "i");
}

// An identifier ending in a version word names what its value is: "AssemblyVersion", "newVersion". Only for
// negative words: a positive word inside an identifier ("dateOfBirth") is as often a schema as data. Single
// letters ("v") are left out, as the last capital of an acronym ("iOSV") is no word.
function camelTailRegex(words: readonly string[] | undefined): RegExp | null {
  const tails = (words ?? []).filter((w) => w.length > 1).map((w) => escape(w.toLowerCase()).replace(/(?:^| )(\p{Ll})/gu, (_, c: string) => c.toUpperCase()));
  if (tails.length === 0) return null;
  return new RegExp(`(?<=[\\p{Ll}\\d])(?:${tails.join("|")})[\\s"'=:>(\\[]*$`, "u");
}

/** Whether `re` matches within `before` characters before the match [start, end) or `after` characters after it. */
export function nearby(re: RegExp | null, text: string, start: number, end: number, before: number, after: number): boolean {
  return re !== null && (re.test(text.slice(Math.max(0, start - before), start)) || re.test(text.slice(end, end + after)));
}

export function contextMatcher(words: ContextWords): ContextMatcher {
  const positive = phraseRegex(words.positive);
  const negative = phraseRegex(words.negative);
  const negativeTail = camelTailRegex(words.negativeIdentifierTails);
  // An identifier counts against the value it labels, right before it ("AssemblyVersion>4.5.2.1"), not against a
  // later one ("appVersion=3.2.1 203.0.113.7").
  const labelledByIdentifier = (text: string, start: number) => negativeTail !== null && negativeTail.test(text.slice(Math.max(0, start - NEGATIVE_BEFORE), start));
  const nearNegative = (text: string, start: number, end: number) =>
    nearby(negative, text, start, end, NEGATIVE_BEFORE, NEGATIVE_AFTER) || labelledByIdentifier(text, start);
  return {
    supports: (text, start, end) => nearby(positive, text, start, end, WINDOW_BEFORE, WINDOW_AFTER),
    adjust(text, start, end, score) {
      let adjusted = score;
      if (nearby(positive, text, start, end, WINDOW_BEFORE, WINDOW_AFTER)) {
        adjusted = Math.max(MIN_WITH_SUPPORT, Math.min(1, adjusted + BOOST));
      }
      if (nearNegative(text, start, end)) adjusted = Math.max(0, adjusted - BOOST);
      return adjusted;
    },
  };
}
