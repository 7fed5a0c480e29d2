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

function phraseRegex(words: readonly string[] | undefined): RegExp | null {
  if (!words || words.length === 0) return null;
  const alternatives = words.map((w) => w.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/ /g, "[\\s_-]+"));
  return new RegExp(`(?<![a-z0-9])(?:${alternatives.join("|")})(?![a-z0-9])`, "i");
}

export function contextMatcher(words: ContextWords): ContextMatcher {
  const positive = phraseRegex(words.positive);
  const negative = phraseRegex(words.negative);
  const near = (re: RegExp | null, text: string, start: number, end: number, before: number, after: number) =>
    re !== null && (re.test(text.slice(Math.max(0, start - before), start)) || re.test(text.slice(end, end + after)));
  return {
    supports: (text, start, end) => near(positive, text, start, end, WINDOW_BEFORE, WINDOW_AFTER),
    adjust(text, start, end, score) {
      let adjusted = score;
      if (near(positive, text, start, end, WINDOW_BEFORE, WINDOW_AFTER)) {
        adjusted = Math.max(MIN_WITH_SUPPORT, Math.min(1, adjusted + BOOST));
      }
      if (near(negative, text, start, end, NEGATIVE_BEFORE, NEGATIVE_AFTER)) adjusted = Math.max(0, adjusted - BOOST);
      return adjusted;
    },
  };
}
