/**
 * Names and places written with their accents ("María López", "José", "Zürich") are the same names the
 * English lexicon spells without them, and must be found as they are: people writing Spanish, French or
 * German prose spell them properly, and read as unknown words they went to the cloud in clear.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { createPiiEngine, type PiiEngine } from "../../src/pii/index.js";
import { defaultPolicy, valuesOf } from "./support.js";

let engine: PiiEngine;
beforeAll(() => {
  engine = createPiiEngine(defaultPolicy());
});

describe("a name written with accents", () => {
  it.each([
    ["Contacta a María López.", "María López"],
    ["Llama a José Fernández mañana.", "José Fernández"],
    ["Le dossier de Sébastien Lefèvre est prêt.", "Sébastien Lefèvre"],
  ])("is a person in %s", (text, name) => {
    expect(valuesOf(engine, "PERSON", text)).toEqual([name]);
  });

  // Without accents these would be words the lexicon knows (german, bar, sole): a name's accents keep it one.
  it.each([
    ["I spoke with Germán Solé yesterday about the invoice.", "Germán Solé"],
    ["Meeting with Jürgen Bär on Monday.", "Jürgen Bär"],
    ["I spoke with Germán Müller yesterday.", "Germán Müller"],
    ["Employee: Nadège Bär", "Nadège Bär"],
    ["Tenant Rémy Solé pays late.", "Rémy Solé"],
  ])("stays a person when its bare spelling is a common word: %s", (text, name) => {
    expect(valuesOf(engine, "PERSON", text)).toEqual([name]);
  });

  // "Francés" is Spanish for French; its bare spelling is the first name Frances.
  it.each([
    "Ofrecemos el Curso de Francés Básico para adultos",
    "Clases de Francés Online para empresas.",
    "Nivel: Francés Intermedio B1.",
    "Idiomas: Español Nativo, Francés Fluido, Alemán Básico.",
  ])("is no person when only its bare spelling is a first name and no known surname follows: %s", (text) => {
    expect(valuesOf(engine, "PERSON", text)).toEqual([]);
  });

  it.each([
    ["Hola, soy Andrés García y trabajo en Sevilla.", "Andrés García"],
    ["Hola, soy Andrés Kowalczyk.", "Andrés Kowalczyk"],
    // Accented first names before surnames the lexicon does not know.
    ["Please send the report to Céline Rousseau by Friday.", "Céline Rousseau"],
    ["Hi team, Frédéric Fontaine joined today.", "Frédéric Fontaine"],
    ["Reunión con José Etxeberria el lunes a las 10.", "José Etxeberria"],
    ["Frances Oldham Kelsey was born in Canada.", "Frances Oldham Kelsey"],
  ])("is still a person with a known surname or an introduction: %s", (text, name) => {
    expect(valuesOf(engine, "PERSON", text)).toEqual([name]);
  });

  it.each([
    ["Our office moved to Zürich last year.", "Zürich"],
    ["Ship it to São Paulo by Friday.", "São Paulo"],
    ["She lives in Montréal now.", "Montréal"],
  ])("is a place in %s", (text, place) => {
    expect(valuesOf(engine, "LOCATION", text)).toEqual([place]);
  });

  it.each(["Meet me at the Café Résumé downtown.", "Please review the Añadir Usuario screen."])("leaves accented common words alone: %s", (text) => {
    expect(valuesOf(engine, "PERSON", text)).toEqual([]);
  });

  it("keeps a Spanish honorific an honorific", () => {
    expect(valuesOf(engine, "PERSON", "Hablé con Señor Gómez ayer.")).toEqual(["Gómez"]);
  });
});
