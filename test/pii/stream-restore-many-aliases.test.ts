/**
 * A streamed answer's restorers hold back an end that may be the start of a bare alias (`PERS` of
 * `PERSON_1`, the form a message `name` went out in). Each delta's end was compared with every alias
 * the request handed out, so a request with thousands of named messages and a long answer cost
 * aliases × deltas: 4,000 aliases and 4,000 deltas of capitals and a space held the event loop ~2.8 s.
 * Timed in CPU time, least of a few runs (support/cpu-time.ts).
 */
import { describe, expect, it } from "vitest";
import { createStreamRestorer, PseudonymVault } from "../../src/pii/index.js";
import { leastCpuMs } from "../support/cpu-time.js";

const aliases = 4_000;

function vaultWithAliases(): PseudonymVault {
  const vault = new PseudonymVault();
  for (let i = 0; i < aliases; i++) vault.handedOutBare(vault.placeholderFor("PERSON", `Ana Silva ${i}`));
  return vault;
}

describe("restoring a stream against thousands of bare aliases", () => {
  it("costs a delta the same however many aliases the request handed out", () => {
    const vault = vaultWithAliases();
    const took = leastCpuMs(() => {
      const restorer = createStreamRestorer(vault);
      for (let i = 0; i < 4_000; i++) restorer.push("PPPPPPPPPPPPPPPPPPPP ");
      restorer.flush();
    });
    // A few ms; comparing every alias took ~2.8 s.
    expect(took).toBeLessThan(500);
  });

  it("still holds back an alias split between deltas and restores it whole", () => {
    const vault = vaultWithAliases();
    const restorer = createStreamRestorer(vault);
    const out = ["Hello PERS", "ON_39", "99 and PERSON_1", "2."].map((delta) => restorer.push(delta)).join("") + restorer.flush();
    expect(out).toBe("Hello Ana Silva 3998 and Ana Silva 11.");
  });

  it("takes aliases handed out after the first delta", () => {
    const vault = new PseudonymVault();
    const restorer = createStreamRestorer(vault);
    vault.handedOutBare(vault.placeholderFor("PERSON", "Ana Silva"));
    expect(restorer.push("Hi PERS")).toBe("Hi ");
    vault.handedOutBare(vault.placeholderFor("PERSON", "Bo Chen"));
    expect(restorer.push("ON_2") + restorer.push(" and PERSON_") + restorer.push("1!") + restorer.flush()).toBe("Bo Chen and Ana Silva!");
  });
});
