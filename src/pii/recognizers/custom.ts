import { RE2JS } from "re2js";
import { contextMatcher } from "../context.js";
import { VALIDATORS, type ValidatorName } from "../validators.js";
import type { Recognizer } from "./recognizer.js";
import { CHECK_EVERY } from "./recognizer.js";

export interface CustomRecognizerSpec {
  type: string;
  pattern: string;
  case_insensitive: boolean;
  validator?: ValidatorName | undefined;
  score: number;
  context: string[];
  negative_context: string[];
}

/**
 * Policy patterns run on re2js, a port of RE2: matching time is linear in the text for every pattern,
 * so no policy can smuggle in catastrophic backtracking. The price is RE2 syntax (no look-around, no
 * back-references), which `compileCustomPattern` reports at policy load.
 */
export function compileCustomPattern(pattern: string, caseInsensitive: boolean): RE2JS {
  return RE2JS.compile(pattern, caseInsensitive ? RE2JS.CASE_INSENSITIVE : 0);
}

export function customRecognizer(spec: CustomRecognizerSpec): Recognizer {
  const compiled = compileCustomPattern(spec.pattern, spec.case_insensitive);
  const validate = spec.validator ? VALIDATORS[spec.validator] : null;
  const context = contextMatcher({ positive: spec.context, negative: spec.negative_context });
  return {
    name: `custom:${spec.type}`,
    scan(text, out, deadline) {
      const matcher = compiled.matcher(text);
      let seen = 0;
      while (matcher.find()) {
        if (++seen % CHECK_EVERY === 0) deadline.check();
        const start = matcher.start();
        const end = matcher.end();
        if (end === start) continue;
        if (validate && !validate(text.slice(start, end))) continue;
        const score = context.adjust(text, start, end, spec.score);
        if (score > 0) out.push({ type: spec.type, start, end, score });
      }
    },
  };
}
