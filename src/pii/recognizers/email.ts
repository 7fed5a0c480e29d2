import type { Recognizer } from "./recognizer.js";
import { CHECK_EVERY } from "./recognizer.js";

const DOMAIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.[A-Za-z]{2,24}$/;

const NON_ASCII_LETTER = /\p{L}/u;
// RFC 5322 atext punctuation ("sean.o'neil@…", "a!b#c@…") besides `. _ % + -`; without it the match starts
// mid-address and the part before the symbol goes out in clear. `/`, `=` and `?` are atext too, but in
// prompts they far more often end a URL path, a query key or a `key=` setting ("?u=ann@…", "EMAIL=ann@…")
// than sit inside an address, so they stay separators.
const LOCAL_PUNCTUATION = new Set([..."._%+-'!#$&*^`{|}~"].map((c) => c.charCodeAt(0)));
// Quotes and brackets glued to the front of an address ("'bob@x.com'", "`{bob@x.com}`", "..bob@x.com")
// are the text around it, not its first characters.
const LEADING_NOISE = new Set([...".'`!#$&*^{|}~"].map((c) => c.charCodeAt(0)));
// RFC 6531 allows non-ASCII letters in the local part ("jürgen@…"); without them the match would start mid-name.
const isLocalChar = (c: number) =>
  (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || LOCAL_PUNCTUATION.has(c) ||
  (c > 127 && NON_ASCII_LETTER.test(String.fromCharCode(c)));
const isDomainChar = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 46 || c === 45;

/**
 * EMAIL_ADDRESS. Instead of a regex tried at every position, it jumps from `@` to `@` and grows the
 * candidate outwards, which keeps prose without addresses nearly free to scan.
 */
export function emailRecognizer(): Recognizer {
  return {
    name: "email",
    scan(text, out, deadline) {
      let seen = 0;
      for (let at = text.indexOf("@"); at !== -1; at = text.indexOf("@", at + 1)) {
        if (++seen % CHECK_EVERY === 0) deadline.check();
        let start = at;
        while (start > 0 && isLocalChar(text.charCodeAt(start - 1))) start--;
        while (start < at && LEADING_NOISE.has(text.charCodeAt(start))) start++;
        let end = at + 1;
        while (end < text.length && isDomainChar(text.charCodeAt(end))) end++;
        while (end > at + 1 && (text.charCodeAt(end - 1) === 46 || text.charCodeAt(end - 1) === 45)) end--;
        if (start === at || text.charCodeAt(at - 1) === 46) continue;
        if (!DOMAIN.test(text.slice(at + 1, end)) || inUrlAuthority(text, start)) continue;
        out.push({ type: "EMAIL_ADDRESS", start, end, score: 1 });
      }
    },
  };
}

/**
 * `scheme://user:password@host` is a URL with credentials, not an email address; the SECRET recognizer
 * takes the password. An address in a URL's path or query ("?u=ann@example.com") is still an email.
 */
function inUrlAuthority(text: string, start: number): boolean {
  // Only the token the address sits in matters; looking further back would make scans quadratic.
  let i = start - 1;
  while (i >= 2 && text.charCodeAt(i) > 32 && start - i < 256) {
    const c = text.charCodeAt(i);
    if (c === 47 && text.charCodeAt(i - 1) === 47 && text.charCodeAt(i - 2) === 58) return true; // "://"
    if (c === 47 || c === 63 || c === 35) return false; // "/", "?" or "#": path, query or fragment
    i--;
  }
  return false;
}
