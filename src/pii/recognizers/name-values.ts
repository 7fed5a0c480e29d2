/**
 * Whether a value found where a person's name stands (under a person's field, in a name column) is one:
 * shared by name-fields.ts and name-columns.ts, which find the place and leave the judging here.
 */
import { NAME_PARTICLES } from "../name-particles.js";
import { AMBIGUOUS_PERSON_NAME_KEY, PERSON_NAME_KEY } from "../person-name-keys.js";

/**
 * The words of test fixtures' and sample rows' placeholders ("Admin", "Test User", "Sample Account"), and of
 * types, rules and sort orders that stand where a value would in a schema or code (`lastName: String`,
 * `first_name: Required`, `lastName: DESC`). A fixed list, not the lexicon's common words: Will, Rose, Hope,
 * Young, Baker, Hill and Stone are common words there and real names here.
 */
const NOT_NAME_WORDS = new Set([
  "test", "tester", "sample", "demo", "example", "admin", "administrator", "user", "account", "dummy", "placeholder",
  "default", "unknown", "none", "null", "anonymous", "system", "root", "guest", "foo", "bar", "baz", "first", "last", "name",
  "string", "str", "text", "varchar", "char", "int", "integer", "number", "boolean", "bool", "object", "any", "void",
  "undefined", "nil", "true", "false", "yes", "no", "required", "optional", "mandatory", "nullable", "unique", "readonly",
  "deprecated", "todo", "tbd", "redacted", "hidden",
  // Sort orders and SQL constraints: `orderBy: { lastName: DESC }`, `LAST_NAME: NOT NULL`.
  "asc", "desc", "ascending", "descending", "not", "primary", "key", "index",
  // Validation rules and search-index types written in lower case: `'first_name' => 'alpha'`, `"lastName": "keyword"`.
  "keyword", "alpha", "alphanumeric", "trim", "trimmed", "lowercase", "uppercase", "email", "filled", "present", "sometimes",
  "empty", "missing", "invalid", "masked", "omitted", "ignore", "skip", "na", "value", "label", "input",
  // The same rules in es, fr, it, de, pt: `apellido: Requerido`, `nom: Obligatoire`, `cognome: Obbligatorio`.
  "requerido", "requerida", "obligatorio", "obligatoria", "opcional", "inválido", "invalido", "inválida", "invalida", "demasiado",
  "requis", "requise", "obligatoire", "facultatif", "facultative", "optionnel", "optionnelle", "invalide",
  "obbligatorio", "obbligatoria", "facoltativo", "facoltativa", "opzionale", "troppo",
  "erforderlich", "pflichtfeld", "ungültig", "ungueltig",
  "obrigatório", "obrigatorio", "obrigatória", "obrigatoria", "muito",
  // Masking configs, column maps and sample data's stand-ins: `"last_name": "MASK"`, `"first_name": "NMN"` (no middle name).
  "mask", "hash", "hashed", "encrypt", "encrypted", "tokenize", "tokenized", "uuid", "iso", "ok", "tba", "tbc", "nmn", "nfn",
  "lnu", "fnu", "infant", "pnr", "id", "xxx",
]);

/**
 * Words of a rule's message that are surnames too (Campo, Champ, Lang, Long, Kurz, Court): a placeholder's
 * only beside a word above ("Campo Requerido", "Champ obligatoire", "Demasiado Largo", "Zu lang").
 */
const RULE_MESSAGE_WORDS = new Set([
  "field", "too", "long", "short", "campo", "largo", "larga", "corto", "corta", "vacío", "vacio", "champ", "trop", "long",
  "longue", "court", "courte", "vide", "non", "valido", "valida", "lungo", "lunga", "vuoto", "feld", "zu", "lang", "kurz",
  "leer", "longo", "vazio",
]);

/** Whether a name-shaped value is placeholders, types or rules only. */
export function placeholderOnly(value: string): boolean {
  const words = value.toLowerCase().split(/[ ,]+/u).filter(Boolean);
  if (words.length === 0) return true;
  return words.some((word) => NOT_NAME_WORDS.has(word)) && words.every((word) => NOT_NAME_WORDS.has(word) || RULE_MESSAGE_WORDS.has(word));
}

/**
 * A field's own label standing as a value: a form's translations (`"last_name": "Apellido"`, `"first_name":
 * "Prénom"`) and schemas (`"label": "Last Name"`) name the field, not a person.
 */
const FIELD_LABEL = new RegExp(`^(?:${PERSON_NAME_KEY}|${AMBIGUOUS_PERSON_NAME_KEY}|names?)(?: \\(s\\))?$`, "iu");
export function isFieldLabel(value: string): boolean {
  return FIELD_LABEL.test(value);
}

/** A capitalised word of a name, in any case after its capital ("Kowalska", "KOWALSKA", "O'Brien", "Jean-Luc"), or an initial. */
const NAME_WORD = /^(?:\p{Lu}[\p{L}'’\-\u2010\u2011]*|\p{Lu}\.)$/u;
/** Spanish "y" and Portuguese "e" between two surnames ("Ortega y Gasset"). */
const SURNAME_JOINERS = new Set(["y", "e"]);
/** The most words a name takes, particles counted: "Maria de los Angeles Gonzalez y Perez". */
const MAX_WORDS = 10;

/**
 * Whether a whole value is written as a name: capitalised words (or words in capitals), joined by single
 * spaces, lower-case particles among them or first ("de la Cruz", "van der Berg"; name-particles.ts), a joiner
 * between surnames, "Surname, Given". Not placeholders ("Test User") nor a field's label ("Last Name").
 */
export function isNameValue(value: string): boolean {
  return isNameShaped(value) && !placeholderOnly(value);
}

/**
 * A capital inside a word after a lower-case letter is a name's only after these ("McDonald", "MacArthur",
 * "DeShawn", "DiCaprio", "LaToya", "VanDyke"); elsewhere it is an identifier or a rule (`MaxLength`, `NotBlank`).
 */
const CAMEL_NAME_PREFIX = /^(?:Mc|Mac|De|Di|Da|Du|La|Le|Van|Von|Fitz)$/u;
const HUMP = /\p{Ll}\p{Lu}/gu;
const ANY_HUMP = /\p{Ll}\p{Lu}/u;
function humpsOfAName(word: string, givenNames?: ReadonlySet<string>): boolean {
  // Most words have none: one test, not a split and a list of matches per word.
  if (!ANY_HUMP.test(word)) return true;
  for (const part of word.split(/[-\u2010\u2011]/u)) {
    HUMP.lastIndex = 0;
    const humps = [...part.matchAll(HUMP)];
    if (humps.length > 1) return false;
    if (humps.length === 1 && !CAMEL_NAME_PREFIX.test(part.slice(0, humps[0]!.index + 1)) && !compoundGivenName(part, humps[0]!.index + 1, givenNames)) return false;
  }
  return true;
}

/**
 * A given name of two written without a space ("MaryBeth", "JoAnn", "LeeAnn"): both halves given names the
 * lexicon knows, which no identifier's are (`MaxLength`: "max" is a word, "length" no name).
 */
function compoundGivenName(part: string, hump: number, givenNames: ReadonlySet<string> | undefined): boolean {
  return givenNames !== undefined && givenNames.has(part.slice(0, hump).toLowerCase()) && givenNames.has(part.slice(hump).toLowerCase());
}

/** Whether a value has a word with an identifier's camel hump (`MaxLength`, `NotBlank`), not a name's ("McDonald"). */
export function hasIdentifierHump(value: string): boolean {
  return value.split(" ").some((word) => !humpsOfAName(word));
}

/**
 * isNameValue before placeholders are judged: a record's fields judge those together (name-fields.ts).
 * With `givenNames` (the lexicon's, lower case), a compound given name's hump is a name's ("MaryBeth").
 */
export function isNameShaped(value: string, givenNames?: ReadonlySet<string>): boolean {
  if (!endsWithCapitalisedWord(value)) return false;
  const words = value.split(" ");
  if (words.length > MAX_WORDS) return false;
  let nameWords = 0;
  for (const [index, written] of words.entries()) {
    const word = index < words.length - 1 && written.endsWith(",") ? written.slice(0, -1) : written;
    if (NAME_WORD.test(word) && humpsOfAName(word, givenNames)) nameWords++;
    else if (!NAME_PARTICLES.has(word) && !(index > 0 && SURNAME_JOINERS.has(word))) return false;
  }
  return nameWords > 0 && NAME_WORD.test(words[words.length - 1]!) && !isFieldLabel(value);
}

const STARTS_UPPER = /^\p{Lu}/u;

/**
 * Whether the word after the value's last space starts with a capital, as a name's last word does
 * (NAME_WORD): most values under a key or in a column that are no names (`last_name: null`, a header
 * repeated as rows) fail here, before they are split into words and each word tested.
 */
function endsWithCapitalisedWord(value: string): boolean {
  const lastWord = value.lastIndexOf(" ") + 1;
  const c = value.charCodeAt(lastWord);
  if (c < 128) return c >= 0x41 && c <= 0x5a;
  return STARTS_UPPER.test(value.slice(lastWord));
}

/** A word in lower case as a name is typed into a form ("kowalska", "o'brien", "anne-marie"): letters only, two or more. */
const LOWER_NAME_WORD = /^\p{Ll}[\p{Ll}'’\-]*\p{Ll}$/u;
/** The most words a name typed in lower case takes: more are a phrase ("enter your first name here"). */
const MAX_LOWER_WORDS = 4;

/**
 * Whether a value typed all in lower case is written as a name ("kowalska", "maria de la cruz"): only where its
 * place says it is a value (a quoted string, a form's pair), since a bare identifier there is code
 * (`last_name: lastName`, `first_name = first_name.strip()`). No digits, underscores, dots, braces or camel humps
 * (`{{first_name}}`, `${firstName}`, `%s`), nor types, rules and a field's own label (`"first_name": "string"`).
 */
export function isLowerCaseNameValue(value: string): boolean {
  // A lower-case word of a name has two letters or more: a key-dense log's `last_name: x` stops here.
  if (value.length < 2) return false;
  const words = value.split(" ");
  if (words.length > MAX_LOWER_WORDS) return false;
  return words.every((word) => LOWER_NAME_WORD.test(word)) && !placeholderOnly(value) && !isFieldLabel(value);
}
