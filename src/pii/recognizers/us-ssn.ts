import { usSsn } from "../validators.js";
import { patternRecognizer, whole } from "./pattern.js";

const CANDIDATE = /(?<![\w-])\d{3}([- ]?)\d{2}\1\d{4}(?![\w-])/g;

/**
 * US_SSN. Nine digits are common (order numbers, zip+4), so an unformatted match needs context; a
 * dashed one is distinctive enough on its own.
 */
export const usSsnRecognizer = () =>
  patternRecognizer({
    name: "us_ssn",
    type: "US_SSN",
    regex: CANDIDATE,
    evaluate(match) {
      if (!usSsn(match[0])) return null;
      const separator = match[1];
      return whole(match, separator === "-" ? 0.6 : separator === " " ? 0.4 : 0.2);
    },
    context: {
      positive: ["ssn", "social security", "social", "ss#", "ss #", "tax id", "taxpayer", "itin"],
      negative: ["order", "invoice", "tracking", "ticket", "ref", "reference", "part", "serial", "phone", "fax", "zip", "po"],
    },
  });
