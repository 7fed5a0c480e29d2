/**
 * A person's name under its field in structured data is masked whatever the key's spelling (a prefix and a
 * camel hump, another language), the syntax around it (XML attributes, `=>`, `:=`, keyword arguments) and
 * the value's case (capitals, lower-case particles first). Each of these went to the cloud in clear: only
 * `first_name`-like keys quoted or glued to the value, and values a name rule of running text reads, were
 * masked. Things that stand where a value would in code and schemas (types, rules, a field's own label) stay.
 */
import { describe, expect, it } from "vitest";
import { NO_DEADLINE } from "../../src/pii/budget.js";
import { nameFieldsRecognizer } from "../../src/pii/recognizers/name-fields.js";
import { leastCpuMs } from "../support/cpu-time.js";
import { cloudTextOf, patientSanitizer } from "./support.js";

const { sanitizer } = patientSanitizer();

describe("a name under a person's field in structured data, however the key is written", () => {
  it.each([
    ['{"patientLastName": "Okonkwo"}', '{"patientLastName": "<PERSON_1>"}'],
    ['{"customerFirstName":"Zofia"}', '{"customerFirstName":"<PERSON_1>"}'],
    ['{"contact_last_name": "Okonkwo"}', '{"contact_last_name": "<PERSON_1>"}'],
    ["billingFirstName=Zofia&billingLastName=Okonkwo", "billingFirstName=<PERSON_1>&billingLastName=<PERSON_2>"],
    ['{"emergencyContactFullName": "Kwame Brandt"}', '{"emergencyContactFullName": "<PERSON_1>"}'],
  ])("after a prefix or a camel hump: %s", (text, expected) => {
    expect(cloudTextOf(sanitizer, text)).toBe(expected);
  });

  it.each([
    ['<last_name type="legal">Okonkwo</last_name>', '<last_name type="legal"><PERSON_1></last_name>'],
    ['<FirstName xml:lang="es">Zofia</FirstName>', '<FirstName xml:lang="es"><PERSON_1></FirstName>'],
    ["$user = ['last_name' => 'Okonkwo'];", "$user = ['last_name' => '<PERSON_1>'];"],
    ['{ :first_name => "Zofia", :last_name => "Okonkwo" }', '{ :first_name => "<PERSON_1>", :last_name => "<PERSON_2>" }'],
    ['lastName := "Okonkwo"', 'lastName := "<PERSON_1>"'],
    ['User(first_name="Zofia", last_name="Okonkwo")', 'User(first_name="<PERSON_1>", last_name="<PERSON_2>")'],
  ])("in XML with attributes, PHP, Ruby, Go and Python: %s", (text, expected) => {
    expect(cloudTextOf(sanitizer, text)).toBe(expected);
  });

  it.each([
    ['{"last_name":"OKONKWO"}', '{"last_name":"<PERSON_1>"}'],
    ["LAST_NAME: OKONKWO", "LAST_NAME: <PERSON_1>"],
    ['{"last_name":"de la Cruz"}', '{"last_name":"<PERSON_1>"}'],
    ['"family_name": "van der Berg"', '"family_name": "<PERSON_1>"'],
    ['{"full_name": "MARIA DE LA CRUZ"}', '{"full_name": "<PERSON_1>"}'],
  ])("in capitals or starting with a particle: %s", (text, expected) => {
    expect(cloudTextOf(sanitizer, text)).toBe(expected);
  });

  it.each([
    ['{"apellido": "Okonkwo", "primer_apellido": "Okonkwo"}', '{"apellido": "<PERSON_1>", "primer_apellido": "<PERSON_1>"}'],
    ['{"prénom": "Zofia", "nom_de_famille": "Okonkwo"}', '{"prénom": "<PERSON_1>", "nom_de_famille": "<PERSON_2>"}'],
    ['{"vorname": "Zofia", "nachname": "Okonkwo"}', '{"vorname": "<PERSON_1>", "nachname": "<PERSON_2>"}'],
    ['{"cognome": "Okonkwo"}', '{"cognome": "<PERSON_1>"}'],
    ['{"sobrenome": "Okonkwo"}', '{"sobrenome": "<PERSON_1>"}'],
    ['{"voornaam": "Zofia", "achternaam": "Okonkwo"}', '{"voornaam": "<PERSON_1>", "achternaam": "<PERSON_2>"}'],
    // "nombre", "nome", "nom" alone name products as often: beside a surname's field they are a person's.
    ['{"nombre": "Zofia", "apellidos": "Okonkwo"}', '{"nombre": "<PERSON_1>", "apellidos": "<PERSON_2>"}'],
    ['{"nom": "Okonkwo", "prenom": "Zofia"}', '{"nom": "<PERSON_1>", "prenom": "<PERSON_2>"}'],
  ])("under a key in another language: %s", (text, expected) => {
    expect(cloudTextOf(sanitizer, text)).toBe(expected);
  });

  it.each([
    ["nom;prénom;email\nOkonkwo;Zofia;zo@example.com", "nom;prénom;email\n<PERSON_1>;<PERSON_2>;<EMAIL_ADDRESS_1>"],
    ["cognome,nome,reparto\nOkonkwo,Zofia,Vendite", "cognome,nome,reparto\n<PERSON_1>,<PERSON_2>,Vendite"],
    ["Vorname;Nachname\nZofia;Okonkwo", "Vorname;Nachname\n<PERSON_1>;<PERSON_2>"],
    ["customer_last_name,billingFirstName\nOkonkwo,Zofia", "customer_last_name,billingFirstName\n<PERSON_1>,<PERSON_2>"],
    ["last_name,first_name\nde la Cruz,Maria", "last_name,first_name\n<PERSON_1>,<PERSON_2>"],
  ])("in a table column so headed: %j", (text, expected) => {
    expect(cloudTextOf(sanitizer, text)).toBe(expected);
  });

  it.each([
    ['{"last_name_label":"Last name"}'],
    ['{"field": "last_name", "label": "Last Name", "required": true}'],
    ["interface User { lastNameField: string; lastName: string; firstName: String }"],
    ["type Query { lastName: String! }"],
    ["first_name: Required"],
    ["orderBy: { lastName: DESC }, sort=lastName:ASC"],
    ["LAST_NAME: NOT NULL"],
    ["<last_name/>"],
    ['<last_name nil="true"/>'],
    ["'last_name' => 'required|string|max:255',"],
    ['first_name := r.FormValue("first_name")'],
    [":first_name => params[:first_name]"],
    ["last_name = models.CharField(max_length=100)"],
    ['<label for="first_name">First Name</label>'],
    ['{"last_name": "Apellido", "first_name": "Prénom"}'],
    ['{"first_name":"TEST","last_name":"USER"}'],
    ['{"nombre": "Laptop Pro", "precio": 999}'],
    ['{"last_name": "Apellido"} and the catalogue {"nombre": "Laptop Pro", "precio": 999}'],
    ['{"nome": "Roma Centrale", "tipo": "stazione"}'],
    ["nom,prix\nLaptop Pro,999"],
    ['{"company_full_name": "Acme Holdings", "orgFullName": "Northwind Traders"}'],
    ['{"hostname": "Atlas", "surname_hint": "Family"}'],
  ])("leaves what is no name: %j", (text) => {
    expect(cloudTextOf(sanitizer, text)).toBe(text);
  });

  it.each([
    ["keys with values left open", `last_name:"${"x".repeat(50)} `],
    ["bare keys on one line", "last_name: "],
    ["start tags without an end", "<last_name a=1 "],
    ["ambiguous keys beside a person's", "nom:'x' last_name "],
  ])("costs little on 1 MB of %s", (_label, unit) => {
    const recognizer = nameFieldsRecognizer();
    const text = unit.repeat(Math.ceil(1_000_000 / unit.length));
    // Each key looks ahead a bounded stretch: a linear scan takes some tens of ms of CPU under any load.
    expect(leastCpuMs(() => recognizer.scan(text, [], NO_DEADLINE))).toBeLessThan(400);
  });
});
