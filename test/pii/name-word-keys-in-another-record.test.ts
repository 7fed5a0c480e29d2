/**
 * "nombre", "nome" and "nom" count as a person's field only beside one that names a person in the same record.
 * Records without braces were read as one: a product's or a city's name after a customer's YAML block, a second
 * constructor call, or a SQL statement on the next line went to the cloud as a pseudonym. Fields of one record
 * (one line, a YAML block or list item, pretty-printed JSON) are still masked together.
 */
import { describe, expect, it } from "vitest";
import { NO_DEADLINE } from "../../src/pii/budget.js";
import { nameFieldsRecognizer } from "../../src/pii/recognizers/name-fields.js";
import { leastCpuMs } from "../support/cpu-time.js";
import { cloudTextOf, patientSanitizer } from "./support.js";

const { sanitizer } = patientSanitizer();

describe("nombre, nome and nom in another record than a person's field", () => {
  it.each([
    [
      "cliente:\n  nombre: Ana\n  apellido: Ruiz\nproducto:\n  nombre: Laptop Pro",
      "cliente:\n  nombre: <PERSON_1>\n  apellido: <PERSON_2>\nproducto:\n  nombre: Laptop Pro",
    ],
    ["prenom: Jean\nnom: Dupont\nville:\n  nom: Paris", "prenom: <PERSON_1>\nnom: <PERSON_2>\nville:\n  nom: <LOCATION_1>"],
    ["prenom: Jean\nnom: Dupont\nproduit:\n  nom: Table Basse", "prenom: <PERSON_1>\nnom: <PERSON_2>\nproduit:\n  nom: Table Basse"],
    [
      'Cliente(nombre="Ana", apellido="Ruiz")\nProducto(nombre="Mesa Redonda")',
      'Cliente(nombre="<PERSON_1>", apellido="<PERSON_2>")\nProducto(nombre="Mesa Redonda")',
    ],
    [
      "SELECT * FROM clientes WHERE apellido = 'Ruiz'\nUPDATE productos SET nombre = 'Silla'",
      "SELECT * FROM clientes WHERE apellido = '<PERSON_1>'\nUPDATE productos SET nombre = 'Silla'",
    ],
  ])("leaves the other record's value: %s", (text, expected) => {
    expect(cloudTextOf(sanitizer, text)).toBe(expected);
  });

  it.each([
    ["- nombre: Ana\n  apellido: Ruiz", "- nombre: <PERSON_1>\n  apellido: <PERSON_2>"],
    ['{\n  "nome": "Giulia",\n  "cognome": "Bianchi"\n}', '{\n  "nome": "<PERSON_1>",\n  "cognome": "<PERSON_2>"\n}'],
    ["nom: Dupont\nprenom: Jean", "nom: <PERSON_1>\nprenom: <PERSON_2>"],
    ['Cliente(nombre="Ana", apellido="Ruiz")', 'Cliente(nombre="<PERSON_1>", apellido="<PERSON_2>")'],
    ["<nombre>Ana</nombre>\n<apellido>Ruiz</apellido>", "<nombre><PERSON_1></nombre>\n<apellido><PERSON_2></apellido>"],
    [
      '<input name="nombre" value="Ana">\n<input name="apellido" value="Ruiz">',
      '<input name="nombre" value="<PERSON_1>">\n<input name="apellido" value="<PERSON_2>">',
    ],
    [
      '  <label>Nombre</label> <input name="nombre" value="Ana">\n  <label>Apellido</label> <input name="apellido" value="Ruiz">',
      '  <label>Nombre</label> <input name="nombre" value="<PERSON_1>">\n  <label>Apellido</label> <input name="apellido" value="<PERSON_2>">',
    ],
    ["$cliente = [\n    'nombre' => 'Ana',\n    'apellido' => 'Ruiz',\n];", "$cliente = [\n    'nombre' => '<PERSON_1>',\n    'apellido' => '<PERSON_2>',\n];"],
  ])("masks fields of one record: %s", (text, expected) => {
    expect(cloudTextOf(sanitizer, text)).toBe(expected);
  });
});

describe("judging records stays linear", () => {
  const recognizer = nameFieldsRecognizer();
  it.each([
    ["placeholder fields", '{"first_name": "Test", "last_name": "User", "nombre": "Guest"}, '.repeat(20_000)],
    ["YAML records", "cliente:\n  nombre: Ana\n  apellido: Ruiz\n".repeat(20_000)],
    ["keys at the end of one long line", `${"x".repeat(500_000)} apellido: Ruiz\n  nombre: Ana\n`.repeat(4)],
  ])("%s", (_, text) => {
    expect(leastCpuMs(() => recognizer.scan(text, [], NO_DEADLINE))).toBeLessThan(1500);
  });
});
