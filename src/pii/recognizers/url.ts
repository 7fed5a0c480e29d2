import { patternRecognizer } from "./pattern.js";

const CANDIDATE = /\b(?:https?:\/\/|ftp:\/\/|www\.)[^\s<>"'`]+/gi;
const TRAILING = /[.,;:!?'")\]}>]+$/;

/**
 * URL with a scheme or `www.`. Sentence punctuation after a URL is not part of it, except a closing
 * parenthesis that balances one inside (Wikipedia-style links).
 */
export const urlRecognizer = () =>
  patternRecognizer({
    name: "url",
    type: "URL",
    regex: CANDIDATE,
    prefilter: (text) => text.includes("://") || text.includes("www."),
    evaluate(match) {
      let url = match[0].replace(TRAILING, "");
      const open = url.split("(").length - 1;
      if (open > url.split(")").length - 1 && match[0].charAt(url.length) === ")") url += ")";
      if (url.length < 8) return null;
      return { start: match.index, end: match.index + url.length, score: 0.6 };
    },
    context: { positive: ["url", "link", "website", "site", "profile", "page", "visit"] },
  });
