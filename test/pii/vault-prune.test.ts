import { describe, expect, it } from "vitest";
import { PseudonymVault, vaultFromJSON, vaultToJSON } from "../../src/pii/index.js";

describe("pruning a pseudonym vault", () => {
  const vault = () => {
    const v = new PseudonymVault();
    v.placeholderFor("PERSON", "Ann Lee"); // <PERSON_1>
    v.placeholderFor("PERSON", "Bo Chen"); // <PERSON_2>
    v.placeholderFor("EMAIL_ADDRESS", 'o"hara@example.com'); // <EMAIL_ADDRESS_1>
    v.placeholderFor("PERSON", "Cy Diaz"); // <PERSON_3>
    return v;
  };

  it("finds the placeholders texts name: bracketed, as a name's bare alias, or by their value (JSON-escaped too)", () => {
    const texts = [JSON.stringify([{ role: "user", name: "PERSON_2", content: "hi <PERSON_1>" }, { role: "user", content: 'mail o"hara@example.com' }])];
    expect([...vault().namedIn(texts)].sort()).toEqual(["<EMAIL_ADDRESS_1>", "<PERSON_1>", "<PERSON_2>"]);
    expect([...vault().namedIn(["Cy Diaz called"])]).toEqual(["<PERSON_3>"]);
  });

  it("keeps its counters, so a pruned number is never handed out again, also across a snapshot", () => {
    const pruned = vault().retainOnly((placeholder) => placeholder === "<PERSON_2>");
    expect(pruned.placeholders()).toEqual(["<PERSON_2>"]);
    expect(pruned.valueOf("<PERSON_1>")).toBeUndefined();
    const restored = vaultFromJSON(vaultToJSON(pruned));
    expect(restored.placeholderFor("PERSON", "Ann Lee")).toBe("<PERSON_4>");
    expect(restored.placeholderFor("PERSON", "Bo Chen")).toBe("<PERSON_2>");
    const empty = vault().retainOnly(() => false);
    expect(empty.size).toBe(0);
    expect(empty.numbered).toBe(4);
    expect(vaultFromJSON(vaultToJSON(empty)).placeholderFor("EMAIL_ADDRESS", "x@example.com")).toBe("<EMAIL_ADDRESS_2>");
  });

  it("leaves the vault it was taken from unchanged", () => {
    const v = vault();
    v.retainOnly(() => false);
    expect(v.size).toBe(4);
  });
});
