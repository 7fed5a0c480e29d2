import { patternRecognizer } from "./pattern.js";

const CANDIDATE = /\b(?:https?:\/\/|ftp:\/\/|www\.)[^\s<>"'`]+/gi;
/** Sentence punctuation that may follow a URL: `. , ; : ! ? ' " ) ] } >`. */
const TRAILING = new Set([...".,;:!?'\")]}>"].map((c) => c.charCodeAt(0)));

/**
 * `url`'s length without the punctuation ending it. A loop back from the end: `/[…]+$/` was tried from each
 * character of a run of punctuation something else follows, each try to the run's end, quadratic in the
 * run (100 KB of dots inside a URL: ~5.5 s in one regex call, which no deadline stops).
 */
function withoutTrailing(url: string): number {
  let end = url.length;
  while (end > 0 && TRAILING.has(url.charCodeAt(end - 1))) end--;
  return end;
}

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
      let url = match[0].slice(0, withoutTrailing(match[0]));
      const open = url.split("(").length - 1;
      if (open > url.split(")").length - 1 && match[0].charAt(url.length) === ")") url += ")";
      if (url.length < 8) return null;
      return { start: match.index, end: match.index + url.length, score: 0.6 };
    },
    context: { positive: ["url", "link", "website", "site", "profile", "page", "visit"] },
  });
