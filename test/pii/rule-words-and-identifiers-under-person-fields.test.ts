/**
 * Under a person's field, a form's rule in Spanish, French or Italian (`apellido: Requerido`), a masking config's
 * or a column map's word in capitals (`"last_name": "MASK"`, `"first_name": "FNAME"`), a sample row's stand-in
 * (`NMN`, `TBA`) and a validator's camel-case name (`lastName: NotBlank`) were masked as names, so the model saw
 * a pseudonym where the user's schema had a rule. Real names with a capital inside (McDonald, DiCaprio) and
 * surnames that are words of a rule's message (Kurz, Long, Campo) stay masked.
 */
import { describe, expect, it } from "vitest";
import { cloudTextOf, patientSanitizer } from "./support.js";

const { sanitizer } = patientSanitizer();

describe("rules, configs and identifiers under a person's field", () => {
  it.each([
    "errors:\n  apellido: Requerido\n  nombre: Demasiado Largo",
    "apellido: Obligatorio",
    "apellido: Campo Requerido",
    "cognome: Obbligatorio",
    "nom: Requis\nprenom: Champ Obligatoire",
    "Nachname: Erforderlich",
    "sobrenome: Obrigatório",
    '{"last_name":"MASK","first_name":"HASH"}',
    '{"first_name":"FNAME","last_name":"LNAME"}',
    ...["NA", "TBA", "NMN", "INFANT", "PNR", "UUID", "ISO", "OK"].map((word) => `last_name: ${word}`),
    "last_name: MaxLength",
    "lastName: NotBlank",
    '{"first_name": "NotNull"}',
  ])("stays as written: %s", (text) => {
    expect(cloudTextOf(sanitizer, text)).toBe(text);
  });

  it.each([
    ["last_name: McDonald", "last_name: <PERSON_1>"],
    ['{"last_name": "DiCaprio"}', '{"last_name": "<PERSON_1>"}'],
    ["first_name: DeShawn", "first_name: <PERSON_1>"],
    ["last_name: MacArthur-Smith", "last_name: <PERSON_1>"],
    ["last_name: Kurz", "last_name: <PERSON_1>"],
    ['{"last_name": "Long"}', '{"last_name": "<PERSON_1>"}'],
    ['{"apellido": "Campo"}', '{"apellido": "<PERSON_1>"}'],
    ['{"first_name": "Ana", "last_name": "Requena"}', '{"first_name": "<PERSON_1>", "last_name": "<PERSON_2>"}'],
  ])("real names stay masked: %s", (text, expected) => {
    expect(cloudTextOf(sanitizer, text)).toBe(expected);
  });
});
