/**
 * A surname right after a capitalised particle is the name's, even when it is a common word too ("Young",
 * "Court", "Water", "Bank"): 1e197af dropped such a last word so "Grant La Salle Street" keeps its
 * street word, and with it the surname of "Mary Ann De Young", which went out beside <PERSON_1>.
 */
import { describe, expect, it } from "vitest";
import { cloudTextOf, patientSanitizer } from "./support.js";

const { sanitizer } = patientSanitizer();

describe("a surname right after a capitalised particle is masked with the name though it is a common word", () => {
  it.each([
    ["Contact Mary Ann De Young today", "Young"],
    ["Contact John Paul De Young", "Young"],
    ["Contact Pieter De La Court today", "Court"],
    ["Contact Maria De La Place today", "Place"],
    ["Contact Lisa Van De Water today", "Water"],
    ["Contact Anna Van Der Bank today", "Bank"],
    ["Contact Anna Van Den Bos today", "Bos"],
  ])("%s masks %s", (text, surname) => {
    const out = cloudTextOf(sanitizer, text);
    expect(out).toMatch(/^Contact <PERSON_1>( today)?$/);
    expect(out).not.toContain(surname);
  });
});
