// What a user noticed: "Sehr geehrter Herr Müller, bitte rufen Sie zurück." produced no finding, so the
// name went to the cloud in clear, while "Mr Müller" was found. A surname the lexicon does not know after
// Herr/Herrn, Madame, Señor/Señora or Sig./Sig.ra is a person, as it is after Mr or Frau.
import { beforeAll, describe, expect, it } from "vitest";
import { createPiiEngine, type PiiEngine } from "../../src/pii/index.js";
import { defaultPolicy, valuesOf } from "./support.js";

let engine: PiiEngine;
beforeAll(() => {
  engine = createPiiEngine(defaultPolicy());
});

const people = (text: string) => valuesOf(engine, "PERSON", text);

describe("an honorific names the unknown surname after it", () => {
  it.each([
    ["Sehr geehrter Herr Müller, bitte rufen Sie zurück.", "Müller"],
    ["Herr Müller hat angerufen.", "Müller"],
    ["Ich möchte mit Herrn Müller sprechen.", "Müller"],
    ["Frau Schneider hat angerufen.", "Schneider"],
    ["Bonjour Madame Lefebvre, merci pour votre message.", "Lefebvre"],
    ["Estimado Señor Quispe, gracias por su pedido.", "Quispe"],
    ["Hola Señora Quispe, su pedido ha llegado.", "Quispe"],
    ["Gentile Sig. Esposito, la consegna è prevista domani.", "Esposito"],
    ["Gentile Sig.ra Esposito, grazie.", "Esposito"],
    ["Dear Mr Müller, thanks.", "Müller"],
  ])("%s", (text, surname) => {
    expect(people(text)).toEqual([surname]);
  });

  it.each(["Herr der Ringe ist ein Buch.", "Die Frau am Telefon war freundlich."])("finds no one in %s", (text) => {
    expect(people(text)).toEqual([]);
  });
});
