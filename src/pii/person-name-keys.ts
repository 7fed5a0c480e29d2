/**
 * Field names that hold a person's name in structured data and tables: first_name, lastName, SURNAME,
 * "Family name", customer_name, display-name. A bare "name" is not one: products, hosts, files and
 * clusters have names too, so a value under it still needs a name the lexicon knows.
 */
export const PERSON_NAME_KEY =
  "(?:first|last|given|family|full|middle|maiden|fore|sur|nick|display|legal|preferred|customer|client|contact|employee|patient|passenger|guest|holder|member|person)[ _-]?name";
