import { contextMatcher } from "../context.js";
import type { Deadline } from "../budget.js";
import type { Entity } from "../entity.js";
import type { Gazetteers } from "./gazetteers.js";
import type { Recognizer } from "./recognizer.js";
import { ownRegex } from "./matches.js";
import { oneByteMatcher, oneByteText } from "./one-byte-matches.js";
import { CHECK_EVERY } from "./recognizer.js";
import { BARE_INITIAL, NAME_PARTICLE, NAME_PARTICLES } from "../name-particles.js";
import { PERSON_NAME_KEY, startsKeyWord } from "../person-name-keys.js";
import { hasIdentifierHump, isFieldLabel, placeholderOnly } from "./name-values.js";

/**
 * What joins the parts of a name's word, for a character class: apostrophes ("O'Brien") and hyphens. Word
 * processors write a surname's hyphen as U+2010 or the non-breaking U+2011 (which normalising reads as U+2010):
 * with "-" alone, "Perez\u2011Gonzalez" ended at "Perez" and its second half went to the cloud in clear.
 */
const WORD_JOINERS = "'’\\-\\u2010\\u2011";
/** One of WORD_JOINERS' hyphens, to split a word into the parts the lexicon is asked about. */
const HYPHEN = /[-\u2010\u2011]/u;
/**
 * A capitalised word with a small letter in it: a name written in title case, not an initial nor capitals.
 * It ends on a letter: a closing quote or a dash after a name is not the name's ("'Maria Gonzalez'" sent
 * "'<PERSON_1>" and broke the quoting; an answer repeating the quotes restored to "Gonzalez''").
 * Read up to its first small letter (joiners and other letters), then on letter by letter: each character
 * has one place in the pattern. Written as two runs of the same characters side by side, a word that
 * cannot end where a name ends (`AaAa…Aa1`) was split every way between them, in time quadratic in its
 * length (a 100 KB token held the event loop ~10 s; no deadline stops one regex call).
 */
const TITLE_CASE_WORD = `\\p{Lu}(?:[${WORD_JOINERS}]*[^\\P{L}\\p{Ll}])*[${WORD_JOINERS}]*\\p{Ll}(?:[${WORD_JOINERS}]*\\p{L})*`;
// A capitalised word ("Maria", "O'Brien", "McDonald", "Jean-Luc") or an initial ("J."), in runs
// separated by single spaces.
const WORD = `${TITLE_CASE_WORD}|\\p{Lu}\\.`;
// A word in capitals ("SMITH", "O'BRIEN", "JEAN-LUC") or an initial. Shipping labels, postal addresses, bank
// beneficiaries and CRM exports write names so; so do log lines, SQL and headings ("ERROR CONNECTION REFUSED"),
// which is why a run of them (two words at least: one alone is an acronym as often) is read more strictly
// (see `shoutedIntroduction`). Group 1 of RUN is such a run.
const CAPS_WORD = `\\p{Lu}[\\p{Lu}${WORD_JOINERS}]*\\p{Lu}|\\p{Lu}\\.`;
/**
 * Where a match may start: at a capital that is not inside a word, nor a later part of a word whose parts, joined by
 * `joiners` ("O'BRIEN", "JEAN-LUC", "AB-AB-…"), start with a capital. A match from the first part takes in the
 * later ones; where it failed (a hyphenated word in capitals with no second word after it), every later part was
 * tried again up to the word's end: quadratic in the word's length (100 KB of "AB-" took seconds). A part after a
 * word in lower case still starts one ("x-John Smith", "pre-Kwame Brandt").
 */
const startOfWord = (joiners: string) =>
  `(?=\\p{Lu})(?<![\\p{L}\\p{N}])(?<!(?<![\\p{L}\\p{N}])\\p{Lu}\\p{L}*[${joiners}]+)`;
export const RUN = new RegExp(
  // Both kinds start with a capital (startOfWord's lookahead): tested once, it rules most positions out faster than either alternative.
  `${startOfWord(WORD_JOINERS)}(?:(?:${WORD})(?: (?:${WORD}))*|((?:${CAPS_WORD})(?: (?:${CAPS_WORD}))+))(?![\\p{L}\\p{N}])`,
  "gu",
);
// An airline booking's name, surname first: "SMITH/JOHN MR", "GONZALEZ/MARIA ELENA MRS". Groups: surname, given
// names, title (MSTR: a boy; CHD, INF: a child, an infant).
const BOOKING_TITLES = "MR|MRS|MS|MISS|MSTR|MX|DR|PROF|CHD|INF";
const CAPS_NAME = `\\p{Lu}[\\p{Lu}${WORD_JOINERS}]*\\p{Lu}`;
const BOOKING_NAME = new RegExp(
  `(?<![\\p{L}\\p{N}/])(${CAPS_NAME})/(${CAPS_NAME}(?: (?!(?:${BOOKING_TITLES})(?![\\p{L}\\p{N}]))${CAPS_NAME})?)(?: (${BOOKING_TITLES}))?(?![\\p{L}\\p{N}/])`,
  "uy",
);
/**
 * What stands between a name's word and the next one outside a run: spaces or tabs on the line, or nothing more
 * than indentation at a line's start, where a joiner that ended the line left off (SURNAME_JOINER).
 */
const GAP_IN_A_NAME = "(?:[ \\t\\u00a0]+|(?<=\\n)[ \\t\\u00a0]*)";
/** Particles or a bare middle initial after a name, then the surname (name-particles.ts); group 1 the surname. */
const PARTICLES_THEN_SURNAME = new RegExp(
  `${GAP_IN_A_NAME}(?:${NAME_PARTICLE}|${BARE_INITIAL})(?:[ \\t\\u00a0]+(?:${NAME_PARTICLE}|${BARE_INITIAL}))*[ \\t\\u00a0]+(${TITLE_CASE_WORD})(?![\\p{L}\\p{N}])`,
  "uy",
);
/**
 * A capitalised word right after spaces or tabs on the line (as PARTICLES_THEN_SURNAME allows them): a further
 * surname when the lexicon knows it as one ("… Gonzalez Perez", "… Gonzalez  Perez"), possessive
 * ("… Gonzalez's") or hyphenated ("… Perez-Gonzalez") too.
 */
const NEXT_WORD = new RegExp(`${GAP_IN_A_NAME}(${TITLE_CASE_WORD})(?![\\p{L}\\p{N}])`, "uy");
/** NEXT_WORD for a name in capitals ("MARIA GONZALEZ Y PEREZ"). */
const NEXT_WORD_IN_CAPITALS = new RegExp(`${GAP_IN_A_NAME}(${CAPS_NAME})(?![\\p{L}\\p{N}])`, "uy");
/**
 * Spanish "y" and Portuguese "e" joining two surnames ("José Ortega y Gasset", "Maria Silva e Santos"), then spaces
 * or the end of its line: a joiner cannot end a name, so one the text wraps after ("Maria Gonzalez y\nPerez") still
 * joins the surname on the next line, which went to the cloud in clear when only spaces were read.
 */
const surnameJoiner = (letters: string) => new RegExp(`[ \\t\\u00a0]+[${letters}](?:[ \\t\\u00a0]*\\r?\\n|(?=[ \\t\\u00a0]))`, "uy");
const SURNAME_JOINER = surnameJoiner("ye");
/**
 * The joiner in a name written in capitals, in capitals too or not ("MARIA GONZALEZ Y PEREZ", "MARIA SILVA e
 * SANTOS"). A lone "Y" or "E" is no word in capitals (CAPS_WORD), so it ended the run and the surname after it,
 * alone, started no name: it went to the cloud in clear.
 */
const SURNAME_JOINER_IN_CAPITALS = surnameJoiner("yeYE");
/**
 * A capitalised word right after one space: what follows a word that is then one of a title's (RUN joins a title's
 * words so). A tab or a wider gap parts a table's columns instead ("Beatriz\tCampos\tPayroll").
 */
const CAPITALISED_WORD_AFTER = /^ \p{Lu}/u;
/** A letter or a joiner of a name's word (WORD_JOINERS): what a word ending at some position is read back over. */
const NAME_WORD_CHAR = new RegExp(`[\\p{L}${WORD_JOINERS}]`, "u");
/** A possessive's ending, dropped before a word is looked up ("Gonzalez’s" is "gonzalez"); the name's span keeps it. */
const POSSESSIVE_END = /['’]s$/u;
/**
 * The most words a name takes, particles not counted: given names and surnames ("Maria Elena Gonzalez Perez
 * Lopez"). Past the third, only surnames the lexicon knows are taken, so a capitalised title or heading after a
 * name does not become part of it. Spanish and Portuguese names reach seven words and more ("Ana Maria de los
 * Angeles Gonzalez Perez Lopez y Garcia", "Maria Elena Gonzalez Perez Lopez Garcia Martinez"): at six, the seventh
 * went to the cloud beside the placeholder. Eight takes two or three given names and five or six surnames; the
 * bound keeps a name that runs on through particles and joiners across runs ("Maria de la Maria de la …") from
 * being read again from each of its first names to the text's end.
 */
const MAX_NAME_WORDS = 8;
const UPPER = /\p{Lu}/u;
const CAPS_NAME_CHAR = new RegExp(`[\\p{Lu}${WORD_JOINERS}]`, "u");

const HONORIFIC_BEFORE =
  /(?:^|[^\p{L}])(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Dame|Madam|Madame|Mme|Mlle|Herr|Herrn|Frau|Sr|Sra|Señor|Señora|Sig|Sig\.ra)\.? $/u;
// A role noun ending a sentence's line ends the sentence, not an introduction: "reset it for that user\nThanks" is
// no name. Alone on its line it is a form's label ("Client\nThandiwe Mokoena"), also as a Markdown heading or list
// item and with a blank line under it (ROLE_LABEL_LINE_BEFORE), as is a label with a colon or "my name is" on a
// line above the name. (`before` is a window of some 24 characters: `^` is its start, which may be the line's.)
const ROLE_NOUN = "(?:patient|employee|customer|client|tenant|user|contact|attn)";
const ROLE_LABEL_LINE = String.raw`(?:^|\n)[^\S\n]*(?:(?:#{1,6}|[-*>])[^\S\n]*)?${ROLE_NOUN}[^\S\n]*(?:\n[^\S\n]*){1,2}`;
const NAME_INTRO_BEFORE = new RegExp(String.raw`(?:(?:my name is|name is|names? ?:|i am|i'm|call me|signed|attn:|c\/o)\s+|${ROLE_NOUN}[^\S\n]+|${ROLE_LABEL_LINE})$`, "i");
/**
 * A role noun alone on the line above (a form's label, a Markdown heading or list item) introduces a value
 * ("## Client\n\nKwame Brandt", "Client\nKwame Brandt - 555-0132"), not a sentence or a heading under it (valueUnderLabel).
 */
const ROLE_LABEL_LINE_BEFORE = new RegExp(`${ROLE_LABEL_LINE}$`, "i");
const ROLE_NOUN_WORDS = new RegExp(`^${ROLE_NOUN}s?$`);
/** Words a heading in title case capitalises and a name has none of (its particles stay lower case or are others). */
const TITLE_FUNCTION_WORDS = new Set(["a", "an", "the", "to", "of", "for", "and", "or", "with", "in", "on", "at", "by", "from", "your", "our", "my", "is", "are", "how"]);
// Also the end of a quoted value or of a JSON string, and a line break written as an escape (`Kwame\n`).
const ENDS_LABELLED_LINE = /^[^\S\n]*(?:$|[\r\n,(<|"'`\\;}\]])/u;
/**
 * Whether a run under a role noun's line reads as its value. Not a sentence: its first word is no instruction
 * or determiner ("Install Client Dependencies", "Your Name"), and a single word stands alone on its line
 * ("Feel free to open an issue", "Returns the current user", "Timeout: 30"). Not a heading in title case:
 * no role noun repeated ("Tenant Isolation", "User Guide"), no function word after its first ("Feel Free To
 * Open An Issue"), no word of a team, an organisation or a kind of software ("Support Team", "Redis Cluster").
 * A surname that is also a common word is still one ("Kwame Brown", "Jiwoo Park").
 */
function valueUnderLabel(text: string, runStart: number, run: string, words: readonly { lower: string }[]): boolean {
  if (SENTENCE_OPENERS.has(words[0]!.lower)) return false;
  const heading = words.some(
    (w, i) => ROLE_NOUN_WORDS.test(w.lower) || ORGANISATION_WORDS.has(w.lower) || SOFTWARE_KIND_WORDS.has(w.lower) || (i > 0 && TITLE_FUNCTION_WORDS.has(w.lower)),
  );
  if (heading) return false;
  const end = runStart + run.length;
  return words.length > 1 || ENDS_LABELLED_LINE.test(text.slice(end, end + 8));
}
/**
 * A person's name field in structured data: `"last_name": "`, `'surname':'`, `lastName=` (a form, a query,
 * code), `<family_name>` (XML). Read as `name: `, the labels here apply to it: JSON pasted into a
 * message sent "Kowalska" under "last_name" while `last_name: Kowalska` was masked. Only keys that name a
 * person (PERSON_NAME_KEY): a bare `"name"` (a product's, a host's) keeps needing a name the lexicon knows.
 * A whole value under such a key is also masked on its own shape (name-fields.ts); this reading lets the
 * name rules find a name in a value that is more than one.
 */
// The key, also after a prefix or a camel hump (startsKeyWord: "billing_last_name", "PATIENT_LAST_NAME",
// "patientLastName"), then how structured data ends it: a quoted key and a colon (JSON, also escaped inside a
// JSON string: `\"last_name\":\"`), a colon before a quoted value (YAML, JS: `lastName: 'Kowalska'`), `=` glued
// to the value (a form, a query) or before a quoted one (code: `user.last_name = "Kowalska"`; `last_name =
// Column(String)` is no name), or `>` (XML).
const PERSON_KEY_VALUE_END = new RegExp(
  `(?:${PERSON_NAME_KEY})(?:\\\\?["'\`]\\s*:\\s*\\\\?["'\`]?|\\s*:\\s*\\\\?["'\`]|=|\\s*=\\s*\\\\?["'\`]|>)$`,
  "iu",
);
// The first words of a form's prompt standing where its value would (`first_name: Enter your first name`,
// `"firstName": "Please enter your first name"`): an instruction, not a name, when lower-case words follow.
const PROMPT_WORDS = new Set([
  "please", "enter", "type", "provide", "input", "insert", "fill", "write", "add", "select", "choose", "specify", "your",
]);
const LOWER_WORD_NEXT = /^ \p{Ll}/u;
// A method called on the run (`Joi.string()`, `Yup.mixed().oneOf(…)`), not a name's full stop or a dotted login.
const MEMBER_CALL = /^\.[\p{Ll}_$][\p{L}\p{N}_$]*\(/u;
const MAX_MEMBER_CHARS = 40;
/**
 * Whether a run after a field or a label is code or a prompt, not a name: a call or a method called on it
 * (`lastName: Joi.string()`, `first_name: Faker()`), or a prompt's first word before lower-case words.
 */
function codeOrPrompt(text: string, runStart: number, run: string): boolean {
  const end = runStart + run.length;
  if (text[end] === "(" || (text[end] === "." && MEMBER_CALL.test(text.slice(end, end + MAX_MEMBER_CHARS)))) return true;
  const first = run.slice(0, run.indexOf(" ") === -1 ? run.length : run.indexOf(" ")).toLowerCase();
  return PROMPT_WORDS.has(first) && (first !== run.toLowerCase() || LOWER_WORD_NEXT.test(text.slice(end, end + 2)));
}
const KEY_VALUE_LAST_CHAR = /["'`=>:]\s*$/u;
const LABEL_COLON_END = /:\s*$/u;
function asLabel(before: string): string {
  // The cheap test first: this runs before every capitalised run and word in capitals.
  if (!KEY_VALUE_LAST_CHAR.test(before)) return before;
  const key = PERSON_KEY_VALUE_END.exec(before);
  // "name: " whatever the key's language or prefix: the labels below know that word.
  return key && startsKeyWord(before, key.index) ? `${before.slice(0, key.index)}name: ` : before;
}
// After these, even a word the lexicon knows as a company is the name ("my name is Ford", "Mr Dupont");
// after "contact" or "customer" it is more often the company ("contact Dell support").
const NAME_IS_BEFORE = /(?:my name is|name is|names? ?:|call me|signed)\s+$/i;
// An honorific inside a run of capitalised words ("Dear Mr Smith"), where the text before the run does
// not show it. "Miss" and "Sir" are left out: "Don't Miss Out".
const HONORIFIC_WORDS = new Set(["mr", "mrs", "ms", "mx", "dr", "prof", "mme", "mlle", "madame", "herr", "herrn", "frau", "sra", "señor", "señora", "sig"]);
// In capitals these are as often something else: MS SQL, 500 MS; DR (disaster recovery) SITE; MX RECORD; SIG.
// After them a run in capitals is a name only with a word the lexicon knows as one ("DR JOHN SMITH").
const AMBIGUOUS_IN_CAPITALS = new Set(["ms", "mx", "dr", "sig", "sr"]);
const HONORIFIC_BEFORE_ANY_CASE = new RegExp(HONORIFIC_BEFORE.source, "iu");
// The last word of every phrase HONORIFIC_BEFORE, NAME_INTRO_BEFORE and LABEL_BEFORE know ("ra": "Sig.ra"; "m": "I'm";
// "o": "c/o"), so that a word in capitals after none of them is not tested against those patterns.
const INTRODUCTION_ENDS = new Set([
  "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "madam", "madame", "mme", "mlle", "herr", "herrn", "frau", "sr",
  "sra", "señor", "señora", "sig", "ra", "name", "names", "is", "am", "m", "me", "signed", "patient", "employee", "customer",
  "client", "tenant", "user", "contact", "attn", "attention", "o", "to", "beneficiary", "holder", "cardholder", "payee",
  "consignee", "recipient", "addressee", "passenger", "pax", "traveller", "traveler", "guest", "dear",
]);
/** The word before `index` in lower case, past spaces and one colon or full stop ("SHIP TO: ", "MR. "); "" if none. */
function wordBefore(text: string, index: number): string {
  let end = index;
  while (end > 0 && text[end - 1] === " ") end--;
  if (end > 0 && (text[end - 1] === ":" || text[end - 1] === ".")) end--;
  while (end > 0 && text[end - 1] === " ") end--;
  let start = end;
  while (start > 0 && end - start < 12 && LETTER.test(text[start - 1]!)) start--;
  return text.slice(start, end).toLowerCase();
}
const LETTER = /\p{L}/u;
// Labels that put a name after them on forms, labels and exports: "SHIP TO: …", "BENEFICIARY: …", "ATTN …".
// With a colon they introduce any name; without one, only a name the lexicon knows (group 1 is the colon).
const LABEL_BEFORE = new RegExp(
  "(?:^|[^\\p{L}])(?:(?:full |first |last |given |family |passenger |customer |guest |account |beneficiary )?names?" +
    "|ship(?:ped)? to|sold to|bill(?:ed)? to|deliver(?:ed)? to|beneficiary|account holder|card ?holder|payee|consignee|recipient" +
    "|addressee|passenger|pax|travell?er|guest|customer|patient|attn|attention|c/o|dear)\\s*(:)?\\s*$",
  "iu",
);
// Words of organisations, teams and infrastructure: after a label ("ATTN: BILLING DEPARTMENT", "Recipient: DEVOPS
// TEAM", "NAME: PRODUCTION CLUSTER EU", "CUSTOMER: ACME CORPORATION LTD") a run in capitals names these as often as
// a person. In capitals they are never name material, and a name ends before them. None is a name in the lexicon.
const ORGANISATION_WORDS = new Set([
  // Departments and teams
  "department", "dept", "team", "group", "division", "unit", "office", "services", "service", "support", "sales", "billing",
  "accounts", "accounting", "payable", "receivable", "operations", "ops", "devops", "engineering", "finance", "payroll",
  "procurement", "purchasing", "marketing", "legal", "hr", "admin", "administration", "helpdesk", "desk", "security",
  "committee", "council", "board",
  // Infrastructure
  "cluster", "server", "production", "prod", "staging", "infrastructure", "platform", "environment", "node", "database",
]);
// Organisation words too (added to them below), which follow a company's or an institution's own name: unknown words right before one are
// that name ("ACME CORPORATION", "NORTHWIND TRADERS"), while a team's word only ends a name ("KWAME BRANDT BILLING").
const COMPANY_WORDS = new Set([
  "corporation", "corp", "company", "co", "ltd", "limited", "llc", "llp", "inc", "incorporated", "gmbh", "ag", "sa", "plc",
  "bv", "nv", "srl", "sarl", "pty", "holdings", "industries", "international", "enterprises", "solutions", "systems",
  "technologies", "tech", "labs", "logistics", "consulting", "partners", "associates", "traders", "trading", "ventures",
  "bank", "insurance", "university", "college", "school", "institute", "hospital", "clinic", "foundation", "association",
  "ministry", "agency", "authority", "bureau",
  // Spanish and Portuguese firms named after their founders: "Johnson y Compañía", "Smith e Hijos", "Gonzalez y
  // Asociados". After a surname and a joiner these words are the firm's, not a second surname.
  "compañía", "compania", "cía", "cia", "companhia", "hijos", "hermanos", "hnos", "sobrinos", "sucesores", "asociados",
  "associados", "socios", "sócios", "filhos", "irmãos", "irmaos",
]);
for (const word of COMPANY_WORDS) ORGANISATION_WORDS.add(word);
// "I'm" in a run is not half of an unknown name pair: "I'm Emily Bayer" is Emily Bayer.
const SELF_INTRO_WORDS = new Set(["i'm", "i’m"]);

const STREET_TYPE_WORDS = [
  "Street", "St", "Avenue", "Ave", "Road", "Rd", "Boulevard", "Blvd", "Lane", "Ln", "Drive", "Dr", "Court", "Ct", "Way", "Place",
  "Pl", "Terrace", "Ter", "Circle", "Cir", "Highway", "Hwy", "Parkway", "Pkwy", "Square", "Sq", "Trail", "Crescent", "Close",
  "Gardens", "Row", "Mews",
];
const STREET_WORDS = new Set(STREET_TYPE_WORDS.map((w) => w.toLowerCase()));
/** `words` as written and in capitals ("Street|STREET"): US and UK postal addresses are often written in capitals. */
const titleOrCapitals = (words: readonly string[]) => words.flatMap((w) => [w, w.toUpperCase()]).join("|");
const STREET_TYPES = titleOrCapitals(STREET_TYPE_WORDS);
const UNIT_WORDS = titleOrCapitals(["Apt", "Apartment", "Suite", "Ste", "Unit", "Flat"]);
const US_STATE_CODES =
  "AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|PR";
const UK_POSTCODE = "[A-Z]{1,2}\\d[A-Z\\d]? \\d[A-Z]{2}\\b";
// A city or state word ends where the word does: without this, "London NW1 6XE" gave "London NW" as
// the city and left "1 6XE" in clear.
const WORD_END = "(?![\\p{L}\\p{N}])";
// Every alternative starts at a word boundary; one leading \b for all of them is tested once per
// position instead of once per alternative (same matches, less time on prose).
export const ADDRESS = new RegExp(
  `\\b(?:${[
    // 42 Elm Street, Apt 5, Springfield, IL 62704; 42 ELM STREET, SPRINGFIELD, IL 62704
    // A size is no house number: "a 2 TB Drive".
    `\\d{1,6}[A-Za-z]?\\s+(?![KMGTP]i?B\\s)(?:[NSEW]\\.?\\s+)?(?:\\p{Lu}[\\p{L}'-]*\\s+){1,4}(?:${STREET_TYPES})\\b\\.?` +
      `(?:,?\\s+(?:${UNIT_WORDS}|#)\\.?\\s*[\\w-]+)?` +
      `(?:,\\s*\\p{Lu}[\\p{L}-]*${WORD_END}(?:\\s\\p{Lu}[\\p{L}-]*${WORD_END}){0,2})?(?:,\\s*[A-Z]{2}${WORD_END})?` +
      // 62704 (US ZIP) or NW1 6XE (UK postcode)
      `(?:\\s+\\d{5}(?:-\\d{4})?|,?\\s+${UK_POSTCODE})?`,
    // Hauptstraße 12, 10115 Berlin
    // Not from inside a hyphenated word, nor after a letter \\b misses (ASCII only: "ÄbÄb…"): each such start rescanned
    // the rest of the word (as in RUN; here a match from a part in lower case fails as well: "x-Ab-x-Ab-…").
    `(?<![\\p{L}\\p{N}-])\\p{Lu}[\\p{L}-]*(?:straße|strasse|weg|gasse|platz|allee|ring|damm|laan|gracht|straat|vej|gatan|vägen)\\s+\\d{1,4}[a-z]?(?:,\\s*\\d{4,5}\\s+\\p{Lu}[\\p{L}-]+)?`,
    // 12 rue de la Paix, 75002 Paris
    `\\d{1,4}(?:\\s?(?:bis|ter))?,?\\s+(?:rue|avenue|boulevard|bd|place|chemin|calle|via|viale|piazza|avenida)\\s+(?:[\\p{L}'-]+\\s){0,4}\\p{Lu}[\\p{L}'-]+(?:,\\s*\\d{5}\\s+\\p{Lu}[\\p{L}-]+)?`,
    // Springfield, IL 62704
    `\\p{Lu}\\p{Ll}+(?: \\p{Lu}\\p{Ll}+){0,2}, [A-Z]{2} \\d{5}(?:-\\d{4})?\\b`,
    // SPRINGFIELD, IL 62704: in capitals only with a state's code, as such lines are also log and table text
    `(?<![\\p{L}\\p{N}])\\p{Lu}{2,}(?: \\p{Lu}{2,}){0,2}, (?:${US_STATE_CODES}) \\d{5}(?:-\\d{4})?\\b`,
    // SW1A 1AA (UK postcode)
    UK_POSTCODE,
  ].join("|")})`,
  "gu",
);

const PERSON_CONTEXT = [
  "name", "dear", "hi", "hello", "hey", "thanks", "thank you", "regards", "sincerely", "cheers", "best", "from",
  "contact", "ask", "call", "email", "emailed", "cc", "signed", "customer", "patient", "employee", "colleague",
  "manager", "wife", "husband", "son", "daughter", "mother", "father", "friend", "mr", "mrs", "ms", "dr", "told",
  "said", "wrote", "met", "with", "by", "assigned", "owner", "tenant", "applicant", "candidate",
];
// Two capitalised words the lexicon does not know are as often a product ("Apache Kafka", "Entity Framework")
// as a person, so the common words of PERSON_CONTEXT ("with", "by", "hi", "thanks") do not make them one
// anywhere nearby: only words about people do, or a greeting, request or sign-off right before the pair.
const UNKNOWN_PAIR_CONTEXT = [
  "name", "contact", "rep", "representative", "customer", "patient", "employee", "colleague", "manager", "wife", "husband", "son", "daughter", "mother",
  "father", "friend", "mr", "mrs", "ms", "dr", "told", "said", "wrote", "met", "signed", "assigned", "owner", "tenant",
  "applicant", "candidate",
];
const ADDRESSED_BEFORE = /(?:^|[^\p{L}])(?:dear|hi|hello|hey|thanks|thank you|regards|sincerely|cheers|best|ask|call|email|emailed|cc)[,:!]?\s+$/iu;
// Words that open instructions and technical questions ("Using Jackson with …", "Install Jenkins", "The Jackson
// library"), capitalised only for being first. Kept to a list: a first name that is also a common word ("Frank",
// "Bill", "Will", "Hope", "Max") opens sentences, sign-offs and CSV rows as often, and is a person there.
const INSTRUCTION_VERBS = [
  "use", "install", "configure", "deploy", "run", "add", "set", "setup", "update", "upgrade", "remove", "uninstall",
  "enable", "disable", "restart", "start", "stop", "build", "create", "delete", "check", "try", "open", "import",
  "export", "compile", "test", "integrate", "compare", "migrate", "replace", "upload", "download", "call", "load",
  "launch", "debug", "fix", "connect", "initialize", "initialise", "register", "mock", "patch", "generate", "get",
];
const gerund = (verb: string) => (verb.endsWith("e") && !verb.endsWith("ee") ? verb.slice(0, -1) : verb) + "ing";
const SENTENCE_OPENERS = new Set([
  ...INSTRUCTION_VERBS,
  ...INSTRUCTION_VERBS.map(gerund),
  "running", "setting", "getting", "debugging", "the", "a", "an", "this", "that", "these", "those", "our", "my", "your",
  "why", "how", "when", "where", "does", "do", "is", "can", "should", "with", "without", "after", "before", "in", "on",
]);
// Right before a pair, these put a person there whatever the pair is: a mail header ("From: Kwame Brandt"), a
// meeting ("spoke with", "Meeting with") or a sign-off of work ("Approved by", "Sent by"). A bare "with" or "by"
// does not: "Deploy with Apache Kafka", "Generated by Swagger Codegen".
const PERSON_PHRASE_BEFORE = new RegExp(
  "(?:^|[^\\p{L}])(?:(?:from|to|cc|bcc|reply-to|sender|recipient|author|reviewer|approver|assignee|reporter|attendees?)\\s*:" +
    "|(?:spoke|speaking|spoken|talked|talking|met|meet|meeting|call|called|chat|chatted|interview|appointment|lunch|dinner)\\s+with" +
    "|(?:spoke|speaking|talked|talking)\\s+to|(?:assigned|escalated|referred|forwarded)\\s+to" +
    "|(?:approved|sent|reviewed|signed|written|authored|submitted|requested|reported|raised|escalated|opened|created|referred|recommended|assigned|closed)\\s+by)\\s+$",
  "iu",
);
// "This is …" introduces a caller only after a greeting ("Hi, this is Kwame Brandt") or before what callers say
// next ("This is Kwame Brandt from Acme", "… speaking"); otherwise it presents a thing ("This is Visual Studio Code.").
const GREETING_THEN_THIS_IS = /(?:^|[^\p{L}])(?:hi|hello|hey|good (?:morning|afternoon|evening))[,!.]?\s+this is\s+$/iu;
const THIS_IS = /(?:^|[^\p{L}])this is\s+$/iu;
const CALLER_AFTER = /^,?\s+(?:from|here|speaking|calling)(?![\p{L}])/iu;
// A speaker's label at a line's start, then speech in the first person or a greeting: "Kwame Brandt: please call
// me back." An instruction to a tool has no first person: "Docker Desktop: please restart it".
const SPEECH_AFTER =
  /^:\s+(?:(?:hi|hello|hey|thanks|thank you)(?![\p{L}])|[^.!?\n]{0,32}?(?<![\p{L}'’])(?:i|i'm|i’m|i'll|i’ll|i've|i’ve|we|we're|we’re|me|my|us|our)(?![\p{L}'’]))/iu;
// A pair is a product, not a person, when its last word names a kind of software ("Jenkins Pipeline", "Renovate
// Bot") or the next word is a group around it ("Apache Kafka maintainers", "From: Apache Kafka docs").
const SOFTWARE_KIND_WORDS = new Set([
  "bot", "pipeline", "pipelines", "action", "actions", "workflow", "ci", "server", "service", "app", "desktop", "studio",
  "notebook", "core", "cli", "sdk", "api", "cloud", "framework", "plugin", "engine", "gateway", "cluster",
]);
const GROUP_AFTER =
  /^\s+(?:maintainers?|team|teams|docs|documentation|developers?|devs|community|contributors?|engineers?|project|website|site|repo|repository|blog|forum|users)(?![\p{L}])/iu;
// What may stand between a sentence's end (or a line's start) and its first word: spaces, quotes, list bullets.
const LEAD_IN = /[ \t"'“‘(\[*#>•–—-]/u;
const SENTENCE_END = /[.!?:;\n\r]/;

/**
 * A lower-case word as the name and place lists spell it: accents dropped. The lexicon is English and
 * spells "María López", "José" and "Zürich" as maria, lopez, jose and zurich; read with their accents
 * they were unknown words, and a name written properly went to the cloud in clear. Only those lists are read
 * this way: "Germán" and "Bär" are no demonym and no bar, so the common-word lists take words as written.
 */
function lookupForm(lower: string): string {
  return NON_ASCII.test(lower) ? lower.normalize("NFD").replace(/\p{M}/gu, "") : lower;
}
const NON_ASCII = /[^\x00-\x7f]/;
// Words of other languages that, their accents dropped, spell an English first name: Spanish and
// Portuguese for "French" ("Curso de Francés Básico" is no Frances). Accented first names stay names.
const FOREIGN_WORDS_SPELLED_LIKE_FIRST_NAMES = new Set(["francés", "francês"]);

/** The character before the word at `index` once spaces, quotes and a list bullet (at most 8) are passed; "" at the text's start. */
function charBeforeLeadIn(text: string, index: number): string {
  let i = index;
  while (i > 0 && index - i < 8 && LEAD_IN.test(text[i - 1]!)) i--;
  return i === 0 ? "" : text[i - 1]!;
}
/** True when the word at `index` is the first of a sentence, line or list item ("Using Jackson …", "- Install …"). */
function startsSentence(text: string, index: number): boolean {
  const before = charBeforeLeadIn(text, index);
  return before === "" || SENTENCE_END.test(before);
}
/** True when the word at `index` is the first of a line, after spaces, quotes or a list bullet. */
function startsLine(text: string, index: number): boolean {
  const before = charBeforeLeadIn(text, index);
  return before === "" || before === "\n" || before === "\r";
}
const LOCATION_CONTEXT = [
  "live", "lives", "living", "lived", "located", "address", "moved", "based", "reside", "resides", "residing",
  "born", "home", "hometown", "city", "town", "near", "ship", "shipped", "deliver", "delivery", "zip", "postcode",
  "relocating", "relocate", "office", "from", "visit", "visiting", "travel", "trip", "flight",
];

interface Word {
  /** Lower case, as written: what the common-word and not-a-name lists are checked against. */
  lower: string;
  /** `lower` without accents (`lookupForm`): what the name and place lists are checked against. */
  bare: string;
  start: number;
  end: number;
}

/** The word of a name that ends at `end` (letters, apostrophes and hyphens back from it), as written. */
function wordEndingAt(text: string, end: number): string {
  let start = end;
  while (start > 0 && NAME_WORD_CHAR.test(text[start - 1]!)) start--;
  return text.slice(start, end);
}

/** Where `joiner` (SURNAME_JOINER or its capitals' form) right at `end` ends, if it is there. */
function joinerEnd(text: string, end: number, joiner: RegExp): number | undefined {
  joiner.lastIndex = end;
  const match = joiner.exec(text);
  return match ? end + match[0].length : undefined;
}

/**
 * Where a name that goes on to `first` ends (undefined when it does not go on), `next` taking one more word from
 * where it got to while the name, `taken` words long before `first`, has fewer than MAX_NAME_WORDS.
 */
function extendName(first: number | undefined, taken: number, next: (last: number) => number | undefined): number | undefined {
  if (first === undefined) return undefined;
  let last = first;
  for (let count = taken + 1; count < MAX_NAME_WORDS; count++) {
    const further = next(last);
    if (further === undefined) break;
    last = further;
  }
  return last;
}

const SCORE = { fullName: 0.85, firstAndCapitalised: 0.7, lastNameOnly: 0.6, firstNameOnly: 0.4, introduced: 0.8, unknownPair: 0.2, introducedPair: 0.6 };
// A matched street address is specific enough to win over a name found inside it ("Willow Lane").
const PLACE_SCORE = { city: 0.55, region: 0.55, country: 0.4, address: 0.95 };

/**
 * PERSON and LOCATION in one pass over runs of capitalised words: a known first name (with what
 * follows as surname), a known surname after a capitalised word, an honorific or "my name is" before
 * the run, two words the lexicon does not know with person context nearby, or a known place (up to
 * three words, "New York City"); plus street addresses and postcodes
 * by pattern. Precision and recall on the labelled corpus are in docs/PII.md.
 */
export function nameAndPlaceRecognizer(gazetteers: Gazetteers): Recognizer {
  const runs = oneByteMatcher(RUN);
  const addresses = oneByteMatcher(ADDRESS);
  const bookingNames = ownRegex(BOOKING_NAME);
  const personContext = contextMatcher({ positive: PERSON_CONTEXT });
  const unknownPairContext = contextMatcher({ positive: UNKNOWN_PAIR_CONTEXT });
  const locationContext = contextMatcher({ positive: LOCATION_CONTEXT });
  const { firstNames, lastNames, places, notNames, nameEnds, commonWords } = gazetteers;
  // Most capitalised words start no multi-word place name; for them, one lookup instead of three.
  const multiWordPlaceStarts = new Set([...places.keys()].filter((name) => name.includes(" ")).map((name) => name.slice(0, name.indexOf(" "))));
  // Names from outside the lexicon ("Kwame Brandt") look like two words it has never seen.
  // "Anne-Marie" and "Mary-Jane" are first names made of first names; "Harley-Davidson" is not one.
  const isFirstName = (lower: string) => firstNames.has(lower) || (HYPHEN.test(lower) && lower.split(HYPHEN).every((part) => firstNames.has(part)));
  const unknown = (w: Word) => !SELF_INTRO_WORDS.has(w.lower) && !commonWords.has(w.lower) && !notNames.has(w.lower) && !places.has(w.bare) && w.lower.length > 1;

  const emit = (out: Entity[], text: string, type: "PERSON" | "LOCATION", start: number, end: number, base: number) => {
    const matcher = type === "PERSON" ? personContext : locationContext;
    out.push({ type, start, end, score: matcher.adjust(text, start, end, base) });
  };
  const emitUnknownPair = (out: Entity[], text: string, start: number, end: number) => {
    const before = text.slice(Math.max(0, start - 24), start);
    if (introducedAsPerson(text, before, start, end)) {
      out.push({ type: "PERSON", start, end, score: SCORE.introducedPair });
      return;
    }
    const matcher = ADDRESSED_BEFORE.test(before) ? personContext : unknownPairContext;
    out.push({ type: "PERSON", start, end, score: matcher.adjust(text, start, end, SCORE.unknownPair) });
  };
  // A phrase that introduces people, unless the pair then reads as a product.
  function introducedAsPerson(text: string, before: string, start: number, end: number): boolean {
    const after = text.slice(end, end + 48);
    const lastWord = text.slice(text.lastIndexOf(" ", end - 1) + 1, end).toLowerCase();
    if (SOFTWARE_KIND_WORDS.has(lastWord) || GROUP_AFTER.test(after)) return false;
    if (PERSON_PHRASE_BEFORE.test(before) || GREETING_THEN_THIS_IS.test(before)) return true;
    if (THIS_IS.test(before)) return CALLER_AFTER.test(after);
    return startsLine(text, start) && SPEECH_AFTER.test(after);
  }
  // An instruction word ("Using", "Install", "The") is capitalised at the start of a sentence whatever follows;
  // elsewhere its capital says more ("ask Frank Miller", "Dear Bill Jackson").
  const capitalisedAsSentenceStart = (text: string, w: Word) => SENTENCE_OPENERS.has(w.lower) && startsSentence(text, w.start);

  // A word that can be part of a name in capitals: one the lexicon knows as a name, or one it does not know at
  // all ("OKAFOR"); never a common word ("SERVICE"), a weekday, a street word, a kind of software ("MR PIPELINE
  // FAILED": a merge request), an organisation's word ("BILLING DEPARTMENT", "ACME CORPORATION") or an honorific.
  const nameMaterial = (w: Word) =>
    !nameEnds.has(w.lower) && !HONORIFIC_WORDS.has(w.lower) && !STREET_WORDS.has(w.lower) && !SOFTWARE_KIND_WORDS.has(w.lower) &&
    !ORGANISATION_WORDS.has(w.lower) && (isFirstName(w.bare) || lastNames.has(w.bare) || unknown(w));
  const knownName = (w: Word) => isFirstName(w.bare) || lastNames.has(w.bare);

  /**
   * How the word at `i` of a run in capitals is introduced: "outright" after an honorific (MR, MRS, HERR; also
   * "MR." before the run) or "my name is", which any name may follow; "label" after a colon label ("SHIP TO:",
   * "BENEFICIARY:", "NAME:"), which any name may follow too, but also a team's or a company's; "known" after an honorific that is often something else in capitals (MS, DR) or a label
   * without a colon ("ATTN", "PASSENGER", "customer"), which only a name the lexicon knows may follow; else "none".
   */
  function shoutedIntroduction(text: string, words: Word[], i: number): "outright" | "label" | "known" | "none" {
    const previous = words[i - 1];
    if (previous && HONORIFIC_WORDS.has(previous.lower)) return AMBIGUOUS_IN_CAPITALS.has(previous.lower) ? "known" : "outright";
    // Most words in capitals follow no introduction at all: the regexes below only run after a word that ends one.
    const before = asLabel(text.slice(Math.max(0, words[i]!.start - 32), words[i]!.start));
    if (!INTRODUCTION_ENDS.has(wordBefore(before, before.length))) return "none";
    if (HONORIFIC_BEFORE_ANY_CASE.test(before)) {
      const honorific = before.slice(before.trimEnd().search(/\p{L}+\.?$/u)).replace(/[.\s]+$/u, "").toLowerCase();
      return AMBIGUOUS_IN_CAPITALS.has(honorific) ? "known" : "outright";
    }
    if (NAME_IS_BEFORE.test(before)) return "outright";
    const label = LABEL_BEFORE.exec(before);
    if (label) return label[1] ? "label" : "known";
    return NAME_INTRO_BEFORE.test(before) ? "known" : "none";
  }

  /**
   * The name in a run of capitals starting at word `i`: its words read as title case go through the same
   * lexicon, honorifics and labels as other runs, with more evidence asked for, since log lines, SQL and
   * headings are written in capitals too. A known first name needs a known surname after it ("JOHN SMITH", not
   * "JORDAN PLEASE"); after an introduction, name material of up to three words (see `shoutedIntroduction`).
   */
  function shoutedName(text: string, words: Word[], i: number): { length: number; introduced: boolean } | undefined {
    let j = i;
    while (j < words.length && j < i + 3 && nameMaterial(words[j]!) && placeLength(words, j) === 0) j++;
    // "MS WILLOW LANE" is a street (the address pattern reports it), as in other runs.
    if (j === i || (j < words.length && STREET_WORDS.has(words[j]!.lower))) return undefined;
    const introduction = shoutedIntroduction(text, words, i);
    const name = words.slice(i, j);
    if (introduction === "outright" || introduction === "label") {
      // Words the lexicon does not know before a company's word are that company's name ("ACME CORPORATION",
      // "MR ACME CORPORATION"); after a colon label they must also look like a person's name, two or
      // three words ("NAME: KWAME BRANDT", not "CUSTOMER: ACME"). A name the lexicon knows is reported either way.
      if (name.some(knownName)) return { length: j - i, introduced: true };
      const company = j < words.length && COMPANY_WORDS.has(words[j]!.lower);
      if (company || (introduction === "label" && name.length < 2)) return undefined;
      return { length: j - i, introduced: true };
    }
    if (introduction === "known" && name.some(knownName)) return { length: j - i, introduced: true };
    if (!isFirstName(words[i]!.bare) || FOREIGN_WORDS_SPELLED_LIKE_FIRST_NAMES.has(words[i]!.lower)) return undefined;
    while (j > i + 1 && !lastNames.has(words[j - 1]!.bare)) j--;
    return j - i > 1 ? { length: j - i, introduced: false } : undefined;
  }

  /** A run in capitals: honorifics are passed over, places only end names (a heading's "NEW YORK" is not reported). */
  function scanShoutedRun(text: string, words: Word[], out: Entity[]) {
    let i = 0;
    while (i < words.length) {
      const word = words[i]!;
      if (HONORIFIC_WORDS.has(word.lower) && i + 1 < words.length) {
        i++;
        continue;
      }
      const name = shoutedName(text, words, i);
      if (name === undefined) {
        i += Math.max(1, placeLength(words, i));
        continue;
      }
      const last = words[i + name.length - 1]!;
      const joined = i + name.length === words.length ? surnamesJoinedInCapitals(text, last.end, name.length) : undefined;
      emit(out, text, "PERSON", word.start, joined ?? last.end, name.introduced ? SCORE.introduced : SCORE.fullName);
      i += name.length;
    }
  }

  function scanRun(text: string, runStart: number, run: string, out: Entity[], shouted: boolean) {
    // A run is whole WORD matches joined by single spaces, so splitting on spaces gives the same words
    // as matching WORD again, without a regex per run.
    const words: Word[] = [];
    let start = runStart;
    for (const word of run.split(" ")) {
      const lower = word.toLowerCase();
      words.push({ lower, bare: lookupForm(lower), start, end: start + word.length });
      start += word.length + 1;
    }
    const written = text.slice(Math.max(0, runStart - 24), runStart);
    const before = asLabel(written);
    // After a field or a label, a type, a rule, a placeholder or the field's own label stands as often as a
    // name in code and schemas (`firstName: String`, `first_name: Required`, `"last_name": "Apellido"`,
    // `lastName: NotBlank`).
    if ((before !== written || LABEL_COLON_END.test(written)) && (placeholderOnly(run) || isFieldLabel(run) || hasIdentifierHump(run) || codeOrPrompt(text, runStart, run))) return;
    if (shouted) {
      scanShoutedRun(text, words, out);
      return;
    }
    const namedOutright = HONORIFIC_BEFORE.test(before) || NAME_IS_BEFORE.test(before);
    const introduced = namedOutright || (NAME_INTRO_BEFORE.test(before) && (!ROLE_LABEL_LINE_BEFORE.test(before) || valueUnderLabel(text, runStart, run, words)));
    let i = 0;
    while (i < words.length) {
      const word = words[i]!;
      // The honorific is no part of the name, and two words the lexicon does not know ("Herr Müller") must not
      // be read as an unknown pair before the surname is reached.
      if (HONORIFIC_WORDS.has(word.lower) && i + 1 < words.length) {
        i++;
        continue;
      }
      const outrightHere = i === 0 ? namedOutright : HONORIFIC_WORDS.has(words[i - 1]!.lower);
      const introducedHere = i === 0 ? introduced : outrightHere;
      // Only an introduction before the run outranks the place list; "Elm Dr Springfield" is a place.
      const placeWords = introduced && i === 0 ? 0 : placeLength(words, i);
      if (placeWords > 0) {
        const last = words[i + placeWords - 1]!;
        const kind = places.get(words.slice(i, i + placeWords).map((w) => w.bare).join(" "))!;
        emit(out, text, "LOCATION", word.start, last.end, PLACE_SCORE[kind]);
        i += placeWords;
        continue;
      }
      const startsName = introducedHere || (isFirstName(word.bare) && !FOREIGN_WORDS_SPELLED_LIKE_FIRST_NAMES.has(word.lower));
      // "Willow Lane" is a street (the address pattern reports it), not Ms Willow Lane.
      const street = words[i + 1] !== undefined && STREET_WORDS.has(words[i + 1]!.lower);
      const notFirst = outrightHere ? nameEnds : notNames;
      if (startsName && !street && !notFirst.has(word.lower)) {
        // Once a name has started, a company word after it is its surname ("Emily Ford"); "Ford" alone or
        // first in a run ("I work at Ford", "Ford Motor") never gets here, as it starts no name.
        let j = i + 1;
        let limit = i + 3;
        while (j < words.length && j < limit && !nameEnds.has(words[j]!.lower) && placeLength(words, j) === 0) {
          // A particle written capitalised ("Maria De La Cruz") is none of the name's three words.
          if (NAME_PARTICLES.has(words[j]!.lower) && j + 1 < words.length) limit++;
          j++;
        }
        // The word a particle let in is no surname when it is a common or a street word ("Grant La Salle Street").
        while (j > i + 3 && letInNoSurname(words, j - 1)) j--;
        // Spanish and Portuguese names carry two surnames or more ("Maria Gonzalez Perez Lopez"): past the three
        // words, those the lexicon knows as surnames.
        const particles = limit - (i + 3);
        j = knownSurnamesFrom(words, j, j - i - particles);
        const surname = words[j - 1]!;
        // "Ludwig van Beethoven", "Maria de la Cruz", "John D Smith": lower-case particles and a bare initial end
        // the run, and the surname after them is a run of its own; a name that ends its run takes them in.
        const taken = j - i - particles;
        const particled = j === words.length ? surnamesAfterRun(text, surname.end, taken) : undefined;
        // A tab does too ("Anna\tKowalska"), but parts a table's cells: the surnames there are masked each on its own.
        const cells = j === words.length && particled === undefined ? surnamesInNextCells(text, surname.end, taken) : [];
        const base =
          introducedHere
            ? SCORE.introduced
            : particled !== undefined || cells.length > 0
              ? SCORE.firstAndCapitalised
              : j === i + 1
                ? SCORE.firstNameOnly
                : lastNames.has(surname.bare)
                  ? SCORE.fullName
                  : SCORE.firstAndCapitalised;
        emit(out, text, "PERSON", word.start, particled ?? surname.end, base);
        for (const cell of cells) emit(out, text, "PERSON", cell.start, cell.end, base);
        i = j;
        continue;
      }
      const next = words[i + 1];
      if (next && lastNames.has(next.bare) && !notNames.has(word.lower) && word.lower.length > 2 && !capitalisedAsSentenceStart(text, word)) {
        const end = knownSurnamesFrom(words, i + 2, 2);
        emit(out, text, "PERSON", word.start, words[end - 1]!.end, SCORE.lastNameOnly);
        i = end;
        continue;
      }
      // Two unknown capitalised words pass the threshold only with person context nearby ("Hello …").
      if (next && unknown(word) && unknown(next) && !next.lower.endsWith(".") && !HONORIFIC_WORDS.has(next.lower)) {
        emitUnknownPair(out, text, word.start, next.end);
        i += 2;
        continue;
      }
      i++;
    }
  }

  /**
   * Whether word `k`, which a capitalised particle let into a name, is a common or a street word rather than
   * its surname ("Grant La Salle Street"). A word right after a particle is the surname the particle
   * introduces ("Mary Ann De Young", "Lisa Van De Water"), and so is one the lexicon knows as a surname,
   * though each is a common word too.
   */
  function letInNoSurname(words: Word[], k: number): boolean {
    const word = words[k]!;
    if (NAME_PARTICLES.has(words[k - 1]!.lower) || lastNames.has(word.bare)) return false;
    return commonWords.has(word.lower) || STREET_WORDS.has(word.lower);
  }

  /** Where the surnames the lexicon knows from word `j` of a run end, for a name that has `taken` words already. */
  function knownSurnamesFrom(words: Word[], j: number, taken: number): number {
    while (j < words.length && taken < MAX_NAME_WORDS && lastNames.has(words[j]!.bare) && placeLength(words, j) === 0) {
      j++;
      taken++;
    }
    return j;
  }

  /**
   * Where the surnames after a name that ends its run right at `end` end, for a name that has `taken` words
   * already: the one after lower-case particles (" de la Cruz") or a joiner (" y Perez"), then more particles and
   * a surname or surnames the lexicon knows (" de la Cruz Gonzalez Perez", " da Silva dos Santos"); undefined when
   * none is there.
   */
  function surnamesAfterRun(text: string, end: number, taken: number): number | undefined {
    return extendName(
      surnameAfterParticles(text, end) ?? joinedSurnameAt(text, end),
      taken,
      (last) => surnameAfterParticles(text, last) ?? knownSurnameAt(text, last) ?? joinedSurnameAt(text, last),
    );
  }

  /**
   * Where the surnames joined to a name in capitals right at `end` end, for a name that has `taken` words already:
   * a joiner in either case and a surname the lexicon knows (" Y PEREZ", " e SANTOS"), then more of them or
   * surnames it knows (" Y PEREZ LOPEZ", which as a run of its own starts no name); undefined when none is there.
   */
  function surnamesJoinedInCapitals(text: string, end: number, taken: number): number | undefined {
    const joinedAt = (at: number) => {
      const after = joinerEnd(text, at, SURNAME_JOINER_IN_CAPITALS);
      return after === undefined ? undefined : knownSurnameAt(text, after, NEXT_WORD_IN_CAPITALS);
    };
    return extendName(joinedAt(end), taken, (last) => knownSurnameAt(text, last, NEXT_WORD_IN_CAPITALS) ?? joinedAt(last));
  }

  /**
   * The surnames past a tab or wider gap after a name that ends its run right at `end`, for a name that has `taken`
   * words already: where a run stopped ("Maria\tGonzalez\tPerez", "Maria  Gonzalez") and the surnames went out in
   * clear. Each is one span, so a table's cells stay apart: surnames the lexicon knows, or after a given name alone
   * one it knows as nothing else ("Beatriz\tCampos", as "Beatriz Campos" is read).
   */
  function surnamesInNextCells(text: string, end: number, taken: number): { start: number; end: number }[] {
    const cells: { start: number; end: number }[] = [];
    for (let count = taken; count < MAX_NAME_WORDS; count++) {
      const cellEnd = knownSurnameAt(text, end) ?? (count === 1 ? surnameOutsideLexiconAt(text, end) : undefined);
      if (cellEnd === undefined) break;
      cells.push({ start: cellEnd - wordEndingAt(text, cellEnd).length, end: cellEnd });
      end = cellEnd;
    }
    return cells;
  }

  /**
   * Where a surname the lexicon knows right at `end` (" Perez") ends, if one is there: possessive (" Perez's", the
   * `'s` inside the span as a run's last word keeps it) or hyphenated when each part is one (" Perez-Gonzalez").
   */
  function knownSurnameAt(text: string, end: number, nextWord = NEXT_WORD): number | undefined {
    nextWord.lastIndex = end;
    const match = nextWord.exec(text);
    if (!match) return undefined;
    return isKnownSurname(match[1]!) ? end + match[0].length : undefined;
  }

  /** Whether the lexicon knows `written` as a surname and not as a place, possessive or hyphenated ("Perez-Gonzalez's"). */
  function isKnownSurname(written: string): boolean {
    const parts = written.toLowerCase().replace(POSSESSIVE_END, "").split(HYPHEN);
    return parts.every((part) => {
      const bare = lookupForm(part);
      return lastNames.has(bare) && !places.has(bare);
    });
  }

  /**
   * Where " y " or " e " and the surname after it right at `end` end, if they are there: a surname the
   * lexicon knows (" e Santos"), or one after particles (" e dos Santos", " y de la Cruz"), or, after a surname the
   * lexicon knows, one it does not ("Ortega y Gasset", which went out as "<PERSON_1> y Gasset").
   */
  function joinedSurnameAt(text: string, end: number): number | undefined {
    const after = joinerEnd(text, end, SURNAME_JOINER);
    if (after === undefined) return undefined;
    const joined = knownSurnameAt(text, after) ?? surnameAfterParticles(text, after);
    if (joined !== undefined || !isKnownSurname(wordEndingAt(text, end))) return joined;
    return surnameOutsideLexiconAt(text, after);
  }

  /**
   * Where a surname the lexicon does not know right at `end` ends, where only a surname can stand (after a known
   * surname and a joiner, after a given name and a tab): a word it knows as nothing at all. A first name there
   * starts another person ("Gonzalez y Pedro Ruiz"); a common word, a place or a firm's word is not a surname
   * ("Gonzalez y Release", "Brandt e Paris", "Smith e Hijos"); nor is a word that other capitalised words follow,
   * as a title's or a product's do ("y Kubernetes Engine"), unless they are surnames the lexicon knows ("Ortega y
   * Gasset Lopez").
   */
  function surnameOutsideLexiconAt(text: string, end: number): number | undefined {
    NEXT_WORD.lastIndex = end;
    const match = NEXT_WORD.exec(text);
    if (!match) return undefined;
    const lower = match[1]!.toLowerCase().replace(POSSESSIVE_END, "");
    const word: Word = { lower, bare: lookupForm(lower), start: end, end: end + match[0].length };
    if (!nameMaterial(word) || !unknown(word) || isFirstName(word.bare)) return undefined;
    const titleGoesOn = CAPITALISED_WORD_AFTER.test(text.slice(word.end, word.end + 8)) && knownSurnameAt(text, word.end) === undefined;
    return titleGoesOn ? undefined : word.end;
  }

  /** Where a surname after lower-case particles right at `end` ends (" van Beethoven", " de la Cruz"), if one is there. */
  function surnameAfterParticles(text: string, end: number): number | undefined {
    PARTICLES_THEN_SURNAME.lastIndex = end;
    const match = PARTICLES_THEN_SURNAME.exec(text);
    if (!match) return undefined;
    const surname = match[1]!.toLowerCase();
    // After a particle a common word is still a surname ("van Dam", "de Young"); after an initial alone it is
    // as often the sentence going on. A place is a place either way ("Maria de Paris").
    const between = match[0].slice(0, match[0].length - match[1]!.length);
    const afterParticle = /\p{Ll}/u.test(between);
    if (places.has(lookupForm(surname)) || (!afterParticle && commonWords.has(surname))) return undefined;
    // "A" and "I" are words as often as initials: only a surname the lexicon knows makes them one ("Mary A Jones").
    if (!afterParticle && /^[\s]*[AI](?:\s+[AI])*\s*$/u.test(between) && !lastNames.has(lookupForm(surname))) return undefined;
    return end + match[0].length;
  }

  function placeLength(words: Word[], i: number): number {
    const longest = multiWordPlaceStarts.has(words[i]!.bare) ? Math.min(3, words.length - i) : 1;
    for (let n = longest; n >= 1; n--) {
      let key = words[i]!.bare;
      for (let k = 1; k < n; k++) key += ` ${words[i + k]!.bare}`;
      if (places.has(key)) return n;
    }
    return 0;
  }

  /** BOOKING_NAME's matches, tried only where a slash stands between capitals: one regex pass over the whole text cost more. */
  function forEachBookingName(text: string, deadline: Deadline, visit: (match: RegExpExecArray) => void) {
    let tried = 0;
    for (let slash = text.indexOf("/"); slash > 0; slash = text.indexOf("/", slash + 1)) {
      if (!UPPER.test(text[slash - 1]!) || !UPPER.test(text[slash + 1] ?? "")) continue;
      if (++tried % CHECK_EVERY === 0) deadline.check();
      let start = slash - 1;
      while (start > 0 && CAPS_NAME_CHAR.test(text[start - 1]!)) start--;
      bookingNames.lastIndex = start;
      const match = bookingNames.exec(text);
      if (match) visit(match);
    }
  }

  /**
   * "SMITH/JOHN MR": names the lexicon knows both of ("SMITH/JOHN", not "TCP/IP"), or name material before a
   * title (not "READ/WRITE MS"; after MS or DR, as in runs of capitals, one name the lexicon knows).
   */
  function bookingName(text: string, match: RegExpExecArray, out: Entity[]) {
    const [, surname, given, title] = match as unknown as [string, string, string, string | undefined];
    const asWord = (written: string): Word => {
      const lower = written.toLowerCase();
      return { lower, bare: lookupForm(lower), start: 0, end: 0 };
    };
    const last = asWord(surname);
    const givens = given.split(" ").map(asWord);
    const known = lastNames.has(last.bare) && isFirstName(givens[0]!.bare);
    const introduced =
      title !== undefined &&
      [last, ...givens].every(nameMaterial) &&
      (!AMBIGUOUS_IN_CAPITALS.has(title.toLowerCase()) || [last, ...givens].some(knownName));
    if (!known && !introduced) return;
    const end = match.index + surname.length + 1 + given.length;
    emit(out, text, "PERSON", match.index, end, introduced ? SCORE.introduced : SCORE.fullName);
  }

  return {
    name: "names_and_places",
    scan(text, out, deadline) {
      const one = oneByteText(text);
      runs(text, deadline, (run) => scanRun(text, run.index, run[0], out, run[1] !== undefined), one);
      forEachBookingName(text, deadline, (match) => bookingName(text, match, out));
      addresses(
        text,
        deadline,
        (address) => emit(out, text, "LOCATION", address.index, address.index + address[0].length, PLACE_SCORE.address),
        one,
      );
    },
  };
}
