import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { createStreamRestorer, PseudonymVault, restore, vaultFromJSON, vaultToJSON } from "../../src/pii/index.js";

function vaultWith(entries: [string, string][]): PseudonymVault {
  const vault = new PseudonymVault();
  for (const [type, value] of entries) vault.placeholderFor(type, value);
  return vault;
}

describe("PseudonymVault", () => {
  it("gives the same value the same placeholder and numbers new values per type", () => {
    const vault = new PseudonymVault();
    expect(vault.placeholderFor("PERSON", "Ana Silva")).toBe("<PERSON_1>");
    expect(vault.placeholderFor("EMAIL_ADDRESS", "ana@example.com")).toBe("<EMAIL_ADDRESS_1>");
    expect(vault.placeholderFor("PERSON", "Bo Chen")).toBe("<PERSON_2>");
    expect(vault.placeholderFor("PERSON", "Ana Silva")).toBe("<PERSON_1>");
  });

  it("survives a JSON round trip and keeps numbering after it", () => {
    const vault = vaultWith([["PERSON", "Ana Silva"], ["PERSON", "Bo Chen"]]);
    const copy = vaultFromJSON(vaultToJSON(vault));
    expect(copy.valueOf("<PERSON_2>")).toBe("Bo Chen");
    expect(copy.placeholderFor("PERSON", "Ana Silva")).toBe("<PERSON_1>");
    expect(copy.placeholderFor("PERSON", "Cy Dorn")).toBe("<PERSON_3>");
  });

  it("never shows its values when logged, stringified or inspected", () => {
    const vault = vaultWith([["PERSON", "Ana Silva"]]);
    for (const shown of [String(vault), JSON.stringify({ vault }), inspect(vault, { showHidden: true, depth: 9 }), `${vault}`]) {
      expect(shown).not.toContain("Ana Silva");
      expect(shown).toContain("1 entries");
    }
  });

  it("keeps the bare aliases it handed out for the request at hand only, never in its snapshot", () => {
    const vault = vaultWith([["PERSON", "Ana Silva"]]);
    vault.handedOutBare("<PERSON_1> and <PERSON_9>");
    expect([...vault.bareAliases()]).toEqual(["PERSON_1"]);
    expect(vaultFromJSON(vaultToJSON(vault)).bareAliases().size).toBe(0);
  });

  it("rejects a snapshot that is not one", () => {
    expect(() => vaultFromJSON('{"version":1,"counters":{},"entries":[["PERSON_1","x"]]}')).toThrow();
  });
});

describe("restore", () => {
  const vault = vaultWith([["PERSON", "Ana Silva"], ["EMAIL_ADDRESS", 'a"b\\c@example.com']]);

  it("puts values back and leaves unknown placeholders and look-alikes alone", () => {
    expect(restore("Dear <PERSON_1>, re <PERSON_7> and <person_1> <PERSON_1", vault)).toBe(
      "Dear Ana Silva, re <PERSON_7> and <person_1> <PERSON_1",
    );
  });

  it("escapes values as JSON string content in tool-call arguments", () => {
    const args = restore('{"to":"<EMAIL_ADDRESS_1>","name":"<PERSON_1>"}', vault, { json: true });
    expect(JSON.parse(args)).toEqual({ to: 'a"b\\c@example.com', name: "Ana Silva" });
  });

  it("restores placeholders whose brackets the JSON escapes as \\u003c and \\u003e", () => {
    const args = restore(String.raw`{"to":"\u003cEMAIL_ADDRESS_1\u003e","cc":"\u003CPERSON_1>","x":"\u003cPERSON_7\u003e"}`, vault, { json: true });
    expect(JSON.parse(args)).toEqual({ to: 'a"b\\c@example.com', cc: "Ana Silva", x: "<PERSON_7>" });
  });

  it("leaves an escaped backslash followed by u003c alone, keeping the JSON valid", () => {
    const text = String.raw`{"a":"\\u003cPERSON_1>","b":"\\\u003cPERSON_1>"}`;
    expect(JSON.parse(restore(text, vault, { json: true }))).toEqual({ a: "\\u003cPERSON_1>", b: "\\Ana Silva" });
    // Outside JSON an escape is just text.
    expect(restore(String.raw`\u003cPERSON_1\u003e`, vault)).toBe(String.raw`\u003cPERSON_1\u003e`);
  });
});

describe("restore of bare aliases (a message name's PERSON_1)", () => {
  const vault = vaultWith([["PERSON", "Ana Silva"], ["PERSON", 'Bo "B" Chen']]);
  vault.handedOutBare("<PERSON_2>");

  it("puts back only aliases handed out bare, and only as whole words", () => {
    expect(restore("Hi PERSON_2, PERSON_2's file; not PERSON_1, PERSON_22, XPERSON_2, PERSON_2_b or person_2", vault)).toBe(
      'Hi Bo "B" Chen, Bo "B" Chen\'s file; not PERSON_1, PERSON_22, XPERSON_2, PERSON_2_b or person_2',
    );
  });

  it("leaves them alone when nothing went out bare", () => {
    expect(restore("Hi PERSON_1", vaultWith([["PERSON", "Ana Silva"]]))).toBe("Hi PERSON_1");
  });

  it("escapes them in JSON, where an escaped line break before one is a word boundary and a literal backslash-n is not", () => {
    const args = restore(String.raw`{"to":"PERSON_2","note":"Regards,\nPERSON_2","raw":"\\nPERSON_2"}`, vault, { json: true });
    expect(JSON.parse(args)).toEqual({ to: 'Bo "B" Chen', note: 'Regards,\nBo "B" Chen', raw: "\\nPERSON_2" });
  });

  const answer = "Hello PERSON_2! Not PERSON_22 nor MrPERSON_2 nor PERSON_1; <PERSON_1> and PERSON_2";
  const restored = 'Hello Bo "B" Chen! Not PERSON_22 nor MrPERSON_2 nor PERSON_1; Ana Silva and Bo "B" Chen';

  it.each(Array.from({ length: answer.length + 1 }, (_, i) => i))("restores them in a stream split at %i", (split) => {
    const restorer = createStreamRestorer(vault);
    expect(restorer.push(answer.slice(0, split)) + restorer.push(answer.slice(split)) + restorer.flush()).toBe(restored);
  });

  it("restores them in a stream one character at a time, JSON arguments too", () => {
    const restorer = createStreamRestorer(vault);
    expect([...answer].map((char) => restorer.push(char)).join("") + restorer.flush()).toBe(restored);
    const args = String.raw`{"to":"PERSON_2","cc":"PERSON_22","note":"Hi\nPERSON_2"}`;
    const json = createStreamRestorer(vault, { json: true });
    const out = [...args].map((char) => json.push(char)).join("") + json.flush();
    expect(JSON.parse(out)).toEqual({ to: 'Bo "B" Chen', cc: "PERSON_22", note: 'Hi\nBo "B" Chen' });
  });
});

describe("createStreamRestorer", () => {
  const vault = vaultWith([["PERSON", "Ana Silva"], ["LOCATION", "Porto"]]);
  const answer = "Hi <PERSON_1>! Flights from <LOCATION_1> to <LOCATION_9> <3 <PERSON_1>";
  const restored = "Hi Ana Silva! Flights from Porto to <LOCATION_9> <3 Ana Silva";

  it.each(Array.from({ length: answer.length + 1 }, (_, i) => i))("restores an answer split at %i", (split) => {
    const restorer = createStreamRestorer(vault);
    const emitted = [restorer.push(answer.slice(0, split)), restorer.push(answer.slice(split)), restorer.flush()];
    expect(emitted.join("")).toBe(restored);
    // Nothing emitted before the end may contain a placeholder fragment that a later chunk completes.
    expect(emitted[0]).not.toMatch(/<[A-Z_0-9]*$/);
  });

  it("restores an answer streamed one character at a time", () => {
    const restorer = createStreamRestorer(vault);
    let out = "";
    for (const char of answer) out += restorer.push(char);
    expect(out + restorer.flush()).toBe(restored);
  });

  it("restores tool-call argument deltas split inside a placeholder", () => {
    const restorer = createStreamRestorer(vault, { json: true });
    const deltas = ['{"name":"<PER', "SON_", '1>","city":"<LOC', 'ATION_1>"}'];
    const args = deltas.map((d) => restorer.push(d)).join("") + restorer.flush();
    expect(JSON.parse(args)).toEqual({ name: "Ana Silva", city: "Porto" });
  });

  it.each([1, 2, 3, 5, 7])("restores escaped-bracket placeholders in argument deltas of %i characters", (size) => {
    const args = String.raw`{"name":"\u003cPERSON_1\u003e","to":"\u003CLOCATION_1>","q":"\\u003cPERSON_1>","r":"\\\u003cPERSON_1\u003e"}`;
    const restorer = createStreamRestorer(vault, { json: true });
    let out = "";
    for (let i = 0; i < args.length; i += size) out += restorer.push(args.slice(i, i + size));
    expect(JSON.parse(out + restorer.flush())).toEqual({ name: "Ana Silva", to: "Porto", q: "\\u003cPERSON_1>", r: "\\Ana Silva" });
  });

  it("passes arguments that are not JSON (yet) through, a held escape included", () => {
    const restorer = createStreamRestorer(vault, { json: true });
    expect(restorer.push(String.raw`{"name":"\u003cPERSON_1\u003e", "x": \u00`)).toBe(String.raw`{"name":"Ana Silva", "x": `);
    expect(restorer.flush()).toBe(String.raw`\u00`);
  });

  it("emits a dangling '<' at flush rather than losing it", () => {
    const restorer = createStreamRestorer(vault);
    expect(restorer.push("a <PERS")).toBe("a ");
    expect(restorer.flush()).toBe("<PERS");
  });
});
