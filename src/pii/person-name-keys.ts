/**
 * Field names that hold a person's name in structured data and tables: first_name, lastName, SURNAME,
 * "Family name", patient_name. Only fields that name a person and nothing else: a bare "name" (a
 * product's, a host's), display_name (an app's, a group's), customer_name and legal_name (a company's),
 * nickname (a server's) hold other things as often, so a value under them still needs a name the
 * lexicon knows.
 */
export const PERSON_NAME_KEY = "(?:first|last|given|family|middle|maiden|fore|sur|full|patient|employee|passenger)[ _-]?name";
