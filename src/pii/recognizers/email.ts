import { domainToASCII } from "node:url";
import { isIdeographicFullStop, withIdnaDots } from "../idna-dots.js";
import type { Recognizer } from "./recognizer.js";
import { CHECK_EVERY } from "./recognizer.js";

// A top-level domain is letters, or the ASCII form of an internationalised one (`xn--p1ai` for `рф`).
const DOMAIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.(?:[A-Za-z]{2,24}|xn--[A-Za-z0-9-]{1,59})$/;
// Internationalised domain names (RFC 5890): labels of letters, marks and digits of any script
// ("müller-bäckerei.de", "пример.рф"), the top-level one all ASCII letters or all other letters.
const IDN_LABEL = /^[\p{L}\p{M}\p{N}](?:[\p{L}\p{M}\p{N}-]*[\p{L}\p{M}\p{N}])?$/u;
const IDN_TLD = /^(?:[A-Za-z]{2,24}|xn--[A-Za-z0-9-]{1,59}|(?:(?![\x00-\x7f])[\p{L}\p{M}]){2,})$/u;
const DOMAIN_LETTER = /[\p{L}\p{M}]/u;
const ASCII = /^[\x00-\x7f]*$/;
// The head of a label up to where it turns from ASCII to another script or back ("comまで": "com").
const ONE_SCRIPT = /^(?:[\x00-\x7f]+|[^\x00-\x7f]+)/;

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
const isAsciiDomainChar = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 46 || c === 45;

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
        if (start === at || text.charCodeAt(at - 1) === 46) continue;
        const end = domainEnd(text, at + 1);
        if (end === -1 || inUrlAuthority(text, start)) continue;
        out.push({ type: "EMAIL_ADDRESS", start, end, score: 1 });
      }
    },
  };
}

/** Where the domain name starting at `from` (right after the `@`) ends, or -1 when none starts there. */
function domainEnd(text: string, from: number): number {
  let end = from;
  let ascii = true;
  while (end < text.length) {
    const c = text.codePointAt(end)!;
    if (isAsciiDomainChar(c) || isIdeographicFullStop(c)) end++;
    else if (c > 127 && DOMAIN_LETTER.test(String.fromCodePoint(c))) {
      ascii = false;
      end += c > 0xffff ? 2 : 1;
    } else break;
  }
  // The name as IDNA reads it: each full stop a "." (one code unit for one, so offsets stay the text's).
  const name = withIdnaDots(text.slice(from, end));
  const domain = name.slice(0, sentenceStopBefore(text, from, name, trimmedLength(name, name.length)));
  if (ascii) return DOMAIN.test(domain) ? from + domain.length : -1;
  if (isInternationalDomain(domain)) return from + domain.length;
  // Text in another script glued to the top-level domain: "ann@example.comまで", "info@müller.deです".
  const tld = domain.lastIndexOf(".") + 1;
  const glued = tld + (ONE_SCRIPT.exec(domain.slice(tld))?.[0].length ?? 0);
  if (tld > 0 && glued < domain.length && isInternationalDomain(domain.slice(0, glued))) return from + glued;
  // Else the ASCII name before the first other letter, as an ASCII-only reading would take it.
  const asciiEnd = trimmedLength(domain, /[^\x00-\x7f]/.exec(domain)?.index ?? domain.length);
  return DOMAIN.test(domain.slice(0, asciiEnd)) ? from + asciiEnd : -1;
}

/**
 * `length` cut back to before an ideographic full stop that ends a sentence: one followed by text of
 * another script than ASCII is no label's separator (`田中@営業部。よろしく`, "Tanaka from Sales." and the
 * next sentence), as addresses typed with such stops end in an ASCII top-level domain (`example。co。jp`);
 * nor is one followed by an ASCII capital, which starts a word or sentence (Japanese puts no space after
 * `。`: `ann@example.com。Thanks`, `…。PDFを添付します`), where a domain's labels are written in lower case.
 */
function sentenceStopBefore(text: string, from: number, name: string, length: number): number {
  for (;;) {
    const stop = name.lastIndexOf(".", length - 1);
    if (stop < 0 || text.charCodeAt(from + stop) === 46 || stop + 1 >= length) return length;
    const next = text.charCodeAt(from + stop + 1);
    if (next < 128 && !isAsciiCapital(next)) return length;
    length = trimmedLength(name, stop);
  }
}

const isAsciiCapital = (c: number) => c >= 65 && c <= 90;

/** `length` moved back over dots and hyphens ending `name`'s first `length` units: the sentence's, not the domain's. */
function trimmedLength(name: string, length: number): number {
  while (length > 0 && (name.charCodeAt(length - 1) === 46 || name.charCodeAt(length - 1) === 45)) length--;
  return length;
}

/** A domain name with letters beyond ASCII, valid by IDNA (UTS #46) once converted to its ASCII form. */
function isInternationalDomain(domain: string): boolean {
  if (ASCII.test(domain)) return DOMAIN.test(domain);
  const labels = domain.split(".");
  if (labels.length < 2 || !IDN_TLD.test(labels.at(-1)!) || !labels.every((label) => IDN_LABEL.test(label))) return false;
  const ascii = domainToASCII(domain);
  return ascii !== "" && ascii.length <= 253 && DOMAIN.test(ascii);
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
