/**
 * Field names that hold a person's name in structured data and tables: first_name, lastName, SURNAME,
 * "Family name", patient_name, and their Spanish, French, German, Italian, Portuguese, Dutch and Polish
 * words (apellido, prénom, nom_de_famille, Nachname, cognome, sobrenome, achternaam, nazwisko). Only
 * fields that name a person and nothing else: a bare "name" (a product's, a host's), display_name (an
 * app's, a group's), customer_name and legal_name (a company's), nickname (a server's) hold other things
 * as often, so a value under them still needs a name the lexicon knows. A "full_name" after an
 * organisation's word (company_full_name, orgFullName) is a company's.
 */
const ORGANISATION_PREFIX = "(?:company|org|organi[sz]ation|business|brand|product|app|application|project|team|group|vendor|supplier|merchant|store|shop|legal|display)";
export const PERSON_NAME_KEY =
  // fname, lname, f_name, l_name: only as a whole key (`lname=Kowalska`, `name="lname"`), as "fname" ends
  // other words' keys too (a file's name: pathfname, dst_fname).
  "(?:(?<![\\p{L}\\p{N}_-])[fl]_?name(?![\\p{L}\\p{N}_])" +
  `|(?:first|last|given|family|middle|maiden|fore|sur|(?<!${ORGANISATION_PREFIX}[ _-]?)full|patient|employee|passenger)[ _-]?name` +
  // es, fr, de, it, pt, nl, pl: each a person's name only ("nombre completo", not "nombre").
  "|apellidos?|nombres?[ _-]?(?:completo|de[ _-]?pila)|(?:primer|segundo)[ _-]?nombre" +
  "|pr[eé]noms?|nom[ _-]?(?:de[ _-]?)?famille|nom[ _-]?complet" +
  "|vorname|nachname|familienname|geburtsname" +
  "|cognome|(?:primo|secondo)[ _-]?nome|nome[ _-]?completo" +
  "|sobrenome|primeiro[ _-]?nome" +
  "|voornaam|achternaam|familienaam" +
  "|nazwisko)";
/**
 * The word "name" of Spanish, Italian, Portuguese and French (nombre, nome, nom): a person's given name or
 * surname in a form beside a field above ({"nome": "Anna", "cognome": "Rossi"}, "nom;prénom;email"), but a
 * product's, a city's or a file's as often alone ({"nombre": "Laptop Pro"}). Read as a person's field only
 * where a PERSON_NAME_KEY is near.
 */
export const AMBIGUOUS_PERSON_NAME_KEY = "(?:nombre|nome|nom)";

const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;
const LOWER_OR_DIGIT = /[\p{Ll}\p{N}]/u;
const UPPER = /\p{Lu}/u;

/**
 * Whether a key matched at `start` begins a word of its field's name: after nothing, a separator
 * (billing_last_name, ship-to-last-name, :first_name) or a camel hump (patientLastName,
 * emergencyContactFullName), not inside a word (hostname, "subsurname").
 */
export function startsKeyWord(text: string, start: number): boolean {
  const before = text[start - 1];
  if (before === undefined || !LETTER_OR_DIGIT.test(before)) return true;
  return LOWER_OR_DIGIT.test(before) && UPPER.test(text[start]!);
}
