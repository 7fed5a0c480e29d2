/**
 * `+` for a space, as HTML forms and URL query strings write it: `?q=John+Smith&city=Springfield`, an
 * `application/x-www-form-urlencoded` body `name=Maria+Gonzalez&email=…`. A model reads "John Smith"
 * there, so the decoded reading does too (decode.ts), and in a lone pair whose value is capitalised
 * words (`contact_name=Elena+Tanaka`). Everywhere else a `+` keeps its meaning: "C++", "1+1=2",
 * "+1 415 555 0100", a URL's path (`/wiki/C++`), a fragment, one `a=b+c` or `total=price+tax` assignment.
 */
import { BARE_INITIAL, NAME_PARTICLE } from "./name-particles.js";
import { AMPERSAND, EQUALS, HASH, PLUS, QUESTION, SEMICOLON } from "./char-codes.js";

/** Where the `+` of a form value stand for spaces: `[start, end)` of the value. */
export type FormValue = readonly [start: number, end: number];

/**
 * The form values of `text` that hold a `+`, in order: the values of a URL's query (after `?`, up to
 * `#`), of a form body (a token of two or more `key=value` pairs joined by `&`, or by `;`: `formSeparator`)
 * and of a lone pair whose
 * value is two or more capitalised words joined by `+` (`LONE_NAME_PAIR`). Every `+` in them
 * is a space, but for a value's leading `+` before a digit, a phone number's (`tel=+14155550132`, as
 * people type it unencoded), which the value starts after. A token is a run without whitespace; each
 * is read once, and only when it holds a `+`.
 *
 * @example formValues("GET /search?q=John+Smith HTTP/1.1, C++") // [[14, 24]]
 */
export function formValues(text: string): FormValue[] {
  const values: FormValue[] = [];
  forEachTokenWithPlus(text, (start, end) => tokenValues(text, start, end, values));
  return values;
}

/** Each token (a run without spaces) of `text` holding a `+`, once, in order. */
function forEachTokenWithPlus(text: string, visit: (start: number, end: number) => void): void {
  let read = 0;
  for (let plus = text.indexOf("+"); plus !== -1; plus = text.indexOf("+", read)) {
    let start = plus;
    while (start > read && !isSpace(text.charCodeAt(start - 1))) start--;
    let end = plus + 1;
    while (end < text.length && !isSpace(text.charCodeAt(end))) end++;
    visit(start, end);
    read = end;
  }
}

/**
 * The form values holding a `+` of the queries nested in a decoded copy: a URL percent-encoded into
 * another's parameter (`return_to=%2Fsearch%3Fq%3DMaria%2BGonzalez`, decoded
 * `return_to=/search?q=Maria+Gonzalez`), a query whose `?` `decoded` marks as read from an escape. Its
 * `+` were encoded (`%2B`) to pass through the outer query and are the nested query's own: spaces, as
 * whoever follows the link reads them. The nested query ends at a `#` or at the first `&` written as
 * itself (the outer query's next pair); its own `&` were escapes too. A `?` written as itself in an
 * outer query's value (after the token's first `?` and an `=`, before its `#`) starts a nested query
 * too (`return_to=/search?q=Maria%2BGonzalez`): the `%2B` inside it were encoded all the same. So does
 * one in a form body's value (`user=1&return_to=/search?q=Maria%2BGonzalez`, the token's first `=`
 * before its first `?`), its pairs joined by `&` or by `;` (`user=1;return_to=…`), the nested query then
 * ending at the body's next `;` written as itself: the form's parser decodes the `%2B` to a `+` before anyone follows the URL. The
 * first-level query's `?` is none: there a `%2B` is a `+` that stays one (`?q=C%2B%2B`), as is the `+`
 * of a value's leading `+` before a digit (`tel%3D%2B14155550132`).
 *
 * @example nestedQueryValues("a?r=/s?q=A+B", [0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 1, 0]) // [[9, 12]]
 */
export function nestedQueryValues(copy: string, decoded: ArrayLike<number>): FormValue[] {
  const values: FormValue[] = [];
  forEachTokenWithPlus(copy, (start, end) => tokenNestedQueryValues(copy, decoded, start, end, values));
  return values;
}

/** `nestedQueryValues` of the token `copy[start, end)`. */
function tokenNestedQueryValues(copy: string, decoded: ArrayLike<number>, start: number, end: number, values: FormValue[]): void {
  // The token's pairs start after its first `?`, or at its start in a form body; a `?` in one of
  // their values (`return_to=/search?q=…`), before the `#`, is a nested query's whether written or decoded.
  const first = find(copy, QUESTION, start, end);
  const separator = find(copy, EQUALS, start, first) < first ? formSeparator(copy, start, end) : NO_FORM_BODY;
  const pairs = separator !== NO_FORM_BODY ? start : first + 1;
  const pairsEnd = find(copy, HASH, pairs, end);
  for (let query = first; query < end; query = find(copy, QUESTION, query + 1, end)) {
    const inOuterValue = query >= pairs && query < pairsEnd && find(copy, EQUALS, pairs, query) < query;
    if (decoded[query] !== 1 && !inOuterValue) continue;
    let queryEnd = query + 1;
    while (queryEnd < end && copy.charCodeAt(queryEnd) !== HASH && !(isOuterSeparator(copy.charCodeAt(queryEnd), separator) && decoded[queryEnd] !== 1)) queryEnd++;
    pairValues(copy, query + 1, queryEnd, values);
    query = queryEnd;
  }
}

/**
 * The form values of a decoded copy whose `+` are spaces: those of its nested queries (`nestedQueryValues`)
 * and its first-level values that are a name whose every `+` was decoded (`encodedNameValues`), ascending.
 *
 * @example laterFormValues("name=Maria+Gonzalez", [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]) // [[5, 19]]
 */
export function laterFormValues(copy: string, decoded: ArrayLike<number>): FormValue[] {
  const nested: FormValue[] = [];
  const names: FormValue[] = [];
  // One walk over the tokens for both: each walk costs as much as the rest of reading them.
  forEachTokenWithPlus(copy, (start, end) => {
    tokenNestedQueryValues(copy, decoded, start, end, nested);
    tokenEncodedNameValues(copy, decoded, start, end, names);
  });
  if (names.length === 0) return nested;
  const values: FormValue[] = [];
  for (const value of [...nested, ...names].sort((a, b) => a[0] - b[0])) {
    // The same pair's value may be both (`return_to=/s?q=Maria%2BGonzalez`): kept once.
    if (values.length === 0 || value[0] >= values[values.length - 1]![1]) values.push(value);
  }
  return values;
}

/**
 * The first-level form values of the token `copy[start, end)` of a decoded copy (a query's, a form
 * body's, a lone pair's) that are a name, capitalised words joined by `+` (`NAME_VALUE`), every `+` of
 * them decoded from a `%2B`: `name=Maria%2BGonzalez`, `?q=Maria%2BGonzalez`. Such a value was
 * form-encoded (`Maria+Gonzalez`) and percent-encoded once more, as a client that encodes twice writes
 * it; read with its `+` kept, the name was half found or not at all. Other `%2B` stay pluses
 * (`?q=C%2B%2B`, `total=price%2Btax`).
 */
function tokenEncodedNameValues(copy: string, decoded: ArrayLike<number>, start: number, end: number, values: FormValue[]): void {
  if (!hasDecodedPlusBeforeCapital(copy, decoded, start, end)) return;
  const candidates: FormValue[] = [];
  tokenValues(copy, start, end, candidates);
  for (const value of candidates) if (isEncodedName(copy, value, decoded)) values.push(value);
}

/**
 * Whether a `+` of `copy[start, end)` decoded from an escape stands before a capital (or a letter beyond
 * ASCII, which may be one): what joins the words of a name encoded twice, and what a `C%2B%2B` has not.
 */
function hasDecodedPlusBeforeCapital(copy: string, decoded: ArrayLike<number>, start: number, end: number): boolean {
  for (let plus = find(copy, PLUS, start, end); plus < end; plus = find(copy, PLUS, plus + 1, end)) {
    const next = copy.charCodeAt(plus + 1);
    if (decoded[plus] === 1 && ((next >= 0x41 && next <= 0x5a) || next >= 0x80)) return true;
  }
  return false;
}

/**
 * A value read alone (decode.ts `valueReader`) that is whole a name encoded twice (`Maria%2BGonzalez`,
 * decoded once `Maria+Gonzalez`): its one form value, as where it was found (`tokenEncodedNameValues`), so it
 * restores as "Maria Gonzalez" and shares a placeholder with the name written plainly.
 *
 * @example wholeEncodedName("Maria+Gonzalez", [0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]) // [[0, 14]]
 */
export function wholeEncodedName(copy: string, decoded: ArrayLike<number>): FormValue[] {
  const whole: FormValue = [0, copy.length];
  return copy.includes("+") && isEncodedName(copy, whole, decoded) ? [whole] : [];
}

/** Whether `copy[start, end)` is a name whose `+` were all decoded from escapes. */
function isEncodedName(copy: string, [start, end]: FormValue, decoded: ArrayLike<number>): boolean {
  for (let plus = find(copy, PLUS, start, end); plus < end; plus = find(copy, PLUS, plus + 1, end)) if (decoded[plus] !== 1) return false;
  return WHOLE_NAME_VALUE.test(copy.slice(start, end));
}

/** The form values of the token `text[start, end)`. */
function tokenValues(text: string, start: number, end: number, values: FormValue[]): void {
  const query = find(text, QUESTION, start, end);
  if (query < end) {
    pairValues(text, query + 1, find(text, HASH, query, end), values);
    return;
  }
  const separator = formSeparator(text, start, end);
  if (separator !== NO_FORM_BODY) {
    pairValues(text, start, end, values, separator);
    return;
  }
  // Else a lone pair, perhaps followed by a `&` that joins no second pair (`contact_name=Elena+Tanaka&`).
  LONE_NAME_PAIR.lastIndex = start;
  const pair = LONE_NAME_PAIR.exec(text);
  if (pair !== null) values.push([pair.index + pair[0].length - pair[1]!.length, pair.index + pair[0].length]);
}

/** Regex source of a character of a key after its first: a letter, digit, `_ . - [ ]` or a percent-escape. */
const KEY_CHAR = String.raw`(?:[\w.[\]-]|%[0-9A-Fa-f]{2})`;

/** `formSeparator`'s answer for a token that is no form body. */
const NO_FORM_BODY = -1;

/**
 * The character joining the pairs of the form body `text[start, end)`: `&`, or `;` (`user=1;return_to=…`, the
 * separator HTML 4 allowed and some servers still write); `NO_FORM_BODY` when it is none. A body joined by `;`
 * must be clearly one, as code's `for(i=0;j=…` and prose's `x=1;` are not: its first two pairs start with a
 * key (`FORM_KEY`) right before their `=`. A key may start with a digit or a percent-escape, as forms write
 * them (`2fa=ok`, `%6Eame=…`), and an empty pair between two (`user=1;;name=…`) is skipped, as form parsers
 * skip it: else such a body was no form and its values' `+` no spaces (`name=<PERSON_1>+Gonzalez`).
 */
function formSeparator(text: string, start: number, end: number): number {
  if (isFormBody(text, start, end, AMPERSAND)) return AMPERSAND;
  if (!isFormBody(text, start, end, SEMICOLON)) return NO_FORM_BODY;
  FORM_KEY.lastIndex = start;
  if (!FORM_KEY.test(text)) return NO_FORM_BODY;
  FORM_KEY.lastIndex = pairAfter(text, find(text, SEMICOLON, start, end), end, SEMICOLON);
  return FORM_KEY.test(text) ? SEMICOLON : NO_FORM_BODY;
}
/** A key and its `=`: a letter, digit, `_` or percent-escape, then `KEY_CHAR`s. */
const FORM_KEY = new RegExp(String.raw`(?:[A-Za-z0-9_]|%[0-9A-Fa-f]{2})${KEY_CHAR}*=`, "y");

/** Whether `c` ends a nested query as the outer query's or form body's next pair: a `&`, or a `;` body's `;`. */
function isOuterSeparator(c: number, separator: number): boolean {
  return c === AMPERSAND || c === separator;
}

/**
 * A form body: its first pair is a pair (a key, then `=`), and so is the next one after the first
 * `separator`, empty pairs between them (`a=1&&b=2`) skipped.
 */
function isFormBody(text: string, start: number, end: number, separator: number): boolean {
  const firstSeparator = find(text, separator, start, end);
  if (firstSeparator === end) return false;
  const firstEquals = find(text, EQUALS, start, firstSeparator);
  if (firstEquals === start || firstEquals === firstSeparator) return false;
  const second = pairAfter(text, firstSeparator, end, separator);
  const secondSeparator = find(text, separator, second, end);
  return find(text, EQUALS, second, secondSeparator) < secondSeparator;
}

/** Where the pair after the `separator` at `at` starts: past it and any empty pairs (`;;`) that follow. */
function pairAfter(text: string, at: number, end: number, separator: number): number {
  let pair = at + 1;
  while (pair < end && text.charCodeAt(pair) === separator) pair++;
  return pair;
}

/** The values with a `+` of the pairs of `text[start, end)`, joined by `separator` (`&` unless a form body's `;`). */
function pairValues(text: string, start: number, end: number, values: FormValue[], separator = AMPERSAND): void {
  for (let pair = start; pair < end; ) {
    const next = find(text, separator, pair, end);
    const equals = find(text, EQUALS, pair, next);
    if (equals < next) {
      let value = equals + 1;
      if (text.charCodeAt(value) === PLUS && isDigit(text.charCodeAt(value + 1))) value++;
      if (find(text, PLUS, value, next) < next) values.push([value, next]);
    }
    pair = next + 1;
  }
}

/**
 * A lone `key=value` token whose value looks like a person's name, capitalised words joined by `+`
 * (`curl -d contact_name=Elena+Tanaka`, `"full_name=Kwame+Brandt".`, a diff's `+name=Maria+Lopez`): a
 * form's field, as code's `a=b+c`, `total=price+tax` and `x=A+B` are not; read as one, so a name is not
 * half found (`<PERSON_1>+Tanaka`). The key is two characters or more (one letter is code's variable:
 * `x=Alice+Bob`) or `q`, the query of nearly every search form, which logs and people quote without its
 * `?` (`q=Maria+Gonzalez`) and code seldom names a variable. It may hold percent-escapes (`contact%5Fname`)
 * and follow a diff's `+`/`-`, a `$`, a quote or a bracket; the value may be quoted. A word is a capital, written or percent-encoded as UTF-8
 * (`%C3%89lodie`), then lowercase letters, letters percent-encoded (`Jos%C3%A9`) or letters after an
 * apostrophe or hyphen (`O'Brien`, `Mary-Jane`), a `Mc`/`Mac` prefix allowed (`McDonald`). The first
 * and last are such words; between them may stand an initial (`John+D+Smith`, `John+D.+Smith`,
 * `Mary+A+Jones`) or a lowercase particle (`Ludwig+van+Beethoven`, `Anna+dos+Santos`). `A` and `I` are
 * taken too, as the name recognizer decides about them as in prose: an initial only before a surname its
 * lexicon knows, so `Mary+A+Jones` is masked whole and a label (`button=Mark+A+Task`) stays as written. Any
 * character but a letter, digit, `_`, `%`, `+` or `=` may follow (`X-Name=Elena+Tanaka,foo`,
 * `name=Elena+Tanaka&`). Group 1 is the value.
 */
const NAME_WORD = String.raw`(?:Ma?c(?=\p{Lu}))?(?:\p{Lu}|%C3%[89][0-9A-Fa-f])(?:\p{Ll}|%[89A-Fa-f][0-9A-Fa-f]|['’-]\p{L})+`;
/** Capitalised words joined by `+`, an initial or a particle allowed between them: `LONE_NAME_PAIR`'s value. */
const NAME_VALUE = String.raw`${NAME_WORD}(?:\+(?:${NAME_WORD}|${BARE_INITIAL}\.?|${NAME_PARTICLE}))*\+${NAME_WORD}`;
/** The one-letter key a lone pair may have: a search form's query (`LONE_NAME_PAIR`). */
const SEARCH_KEY = "q";
const LONE_NAME_PAIR = new RegExp(
  String.raw`(?:[+-](?=[$'"\x60(\[A-Za-z_]))?['"\x60(\[]?\$?(?:[A-Za-z_]${KEY_CHAR}+|${SEARCH_KEY})=['"\x60]?(${NAME_VALUE})(?=[^\p{L}\p{N}_%+=]|$)`,
  "uy",
);
const WHOLE_NAME_VALUE = new RegExp(`^${NAME_VALUE}$`, "u");

/** Where `char` first is in `text[from, end)`, or `end`: `indexOf` would look past the token. */
function find(text: string, char: number, from: number, end: number): number {
  let at = from;
  while (at < end && text.charCodeAt(at) !== char) at++;
  return at;
}

function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d) || c === 0xa0 || c === 0x2028 || c === 0x2029 || c === 0x3000;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}
