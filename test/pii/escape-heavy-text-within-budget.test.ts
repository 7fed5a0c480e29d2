/**
 * Long ordinary texts full of escapes (an HTML page, JSON written with `ensure_ascii`, percent-encoded
 * URLs, a Python bytes repr) are scanned within the default 250 ms budget: decoding allocates little
 * per escape, and escapes that decode to characters no value is made of (`&amp;`, `&lt;`, `&raquo;`)
 * open no decoded window, so such text is not scanned twice for them. Before, such requests often
 * failed closed ('failed': scan over the 250 ms budget).
 */
import { describe, expect, it } from "vitest";
import { decodeEscapes } from "../../src/pii/decode.js";
import { createPiiEngine, createSanitizer } from "../../src/pii/index.js";
import { defaultPolicy, policyWith, userMessageForCloud } from "./support.js";

describe("escapes that spell no value", () => {
  it("open no decoded window", () => {
    expect(decodeEscapes("Tom &amp; Jerry &lt;b&gt;here&lt;/b&gt; &raquo;Zitat&laquo; &copy; 2024 &euro;")!.around(256)).toEqual([]);
    expect(decodeEscapes("x %26 y &#38; more")!.around(256)).toEqual([]);
    expect(decodeEscapes("Bar &ndash; Grill &nbsp;&mdash; done")!.around(256)).toEqual([]);
  });

  it("still open one when glued to the word after them, or when they spell a value", () => {
    expect(decodeEscapes("Hi %3CKwame Brandt%3E")!.around(256)).not.toEqual([]);
    expect(decodeEscapes("mail ann.lee&#64;example.com &amp; more")!.around(256)).not.toEqual([]);
    expect(decodeEscapes("a &amp;#64; b")!.around(256)).not.toEqual([]);
    expect(decodeEscapes("card 4111&nbsp;1111&ndash;1111 1111")!.around(256)).not.toEqual([]);
    expect(decodeEscapes("Kwame%20Brandt")!.around(256)).not.toEqual([]);
  });
});

describe("long texts full of escapes", () => {
  // A budget a loaded test machine keeps: what is tested is that such a page is no longer refused on
  // principle (measured: ~60-120 ms on an idle machine, against the default 250 ms budget).
  const policy = policyWith({ scan: { ...defaultPolicy().scan, budget_ms: 2_000 } });
  const sanitizer = createSanitizer({ policy, engine: createPiiEngine(policy), env: {} });
  const kind = (content: string) => userMessageForCloud(sanitizer, content, undefined, `t${Math.random()}`).kind;
  const markup = "<p>Tom &amp; Jerry &ndash; &laquo;Zitat&raquo; &copy; 2024 &lt;b&gt;fett&lt;/b&gt; &mdash; &#8222;Zitat&#8220;</p>\n";

  it("an HTML page of markup escapes goes to the cloud", () => {
    kind(markup); // warm
    expect(kind(markup.repeat(Math.floor(900_000 / markup.length)))).toBe("cloud");
  });
});
