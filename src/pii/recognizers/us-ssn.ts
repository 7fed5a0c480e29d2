import { usSsn } from "../validators.js";
import { patternRecognizer, whole } from "./pattern.js";
import { HYPHENS, SPACES } from "./separators.js";

// Three groups split twice by the same separator: a dash (Unicode's included), a space, a run of up to
// three spaces or tabs, or a dash with spaces around it; or no separator at all.
const CANDIDATE = new RegExp(
  `(?<![\\w${HYPHENS}])\\d{3}([${HYPHENS}]|[${SPACES}][${HYPHENS}][${SPACES}]|[ \\t]{1,3}|[${SPACES}]|)\\d{2}\\1\\d{4}(?![\\w${HYPHENS}])`,
  "g",
);
const DASH = new RegExp(`^[${HYPHENS}]$`);

/**
 * US_SSN. Nine digits are common (order numbers, zip+4), so an unformatted or spaced match needs
 * context; a dashed one is distinctive enough on its own.
 */
export const usSsnRecognizer = () =>
  patternRecognizer({
    name: "us_ssn",
    type: "US_SSN",
    regex: CANDIDATE,
    evaluate(match) {
      if (!usSsn(match[0])) return null;
      // A dash alone is distinctive; spaces, and a spaced dash (also how a subtraction is written), need context.
      const separator = match[1]!;
      return whole(match, DASH.test(separator) ? 0.6 : separator ? 0.4 : 0.2);
    },
    context: {
      positive: ["ssn", "social security", "social", "ss#", "ss #", "tax id", "taxpayer", "itin"],
      negative: ["order", "invoice", "tracking", "ticket", "ref", "reference", "part", "serial", "phone", "fax", "zip", "po"],
    },
  });
