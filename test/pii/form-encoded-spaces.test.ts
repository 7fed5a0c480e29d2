/**
 * A `+` is a space in a URL's query and in a form body (`application/x-www-form-urlencoded`), as
 * browsers and HTTP clients write them, and a model reads `q=John+Smith` as "John Smith". The names
 * recognizer needs the space, so such names went to the cloud as written (`name=<PERSON_1>+Gonzalez`
 * left the surname, `full_name=Kwame+Brandt` all of it). Elsewhere a `+` keeps its meaning: "C++",
 * "1+1=2", a phone number's `+1`, a URL's path, one `a=b+c`.
 */
import { describe, expect, it } from "vitest";
import { formValues } from "../../src/pii/decode-form.js";
import { decodeEscapes } from "../../src/pii/decode.js";
import { createSanitizer, PseudonymVault, restore, restoreToolCall } from "../../src/pii/index.js";
import { cloudTextOf, found, patientPolicy, patientSanitizer } from "./support.js";

const { engine, sanitizer } = patientSanitizer();

function sanitized(content: string): { vault: PseudonymVault; text: string } {
  const vault = new PseudonymVault();
  return { vault, text: cloudTextOf(sanitizer, content, vault) };
}

describe("a + in a query or form body is read as a space", () => {
  it("in the query of a logged request", () => {
    expect(cloudTextOf(sanitizer, "Why 404? GET /search?q=John+Smith&city=Springfield HTTP/1.1")).toBe(
      "Why 404? GET /search?q=<PERSON_1>&city=Springfield HTTP/1.1",
    );
  });

  it("in a form body, the whole name rewritten, not only its first word", () => {
    expect(cloudTextOf(sanitizer, "Body: name=Maria+Gonzalez&email=maria.gonzalez%40example.com&plan=pro")).toBe(
      "Body: name=<PERSON_1>&email=<EMAIL_ADDRESS_1>&plan=pro",
    );
  });

  it("in an application/x-www-form-urlencoded request pasted whole", () => {
    const request = [
      "POST /signup HTTP/1.1",
      "Content-Type: application/x-www-form-urlencoded",
      "",
      "full_name=Kwame+Brandt&street=42+Elm+Street&accept=on",
    ].join("\n");
    const text = cloudTextOf(sanitizer, `Why does this return 422?\n${request}`);
    expect(text).not.toContain("Kwame");
    expect(text).not.toContain("Brandt");
    expect(text).toContain("full_name=<PERSON_1>&street=");
  });

  it("in a full URL, which goes out as one placeholder and comes back as written", () => {
    const url = "https://crm.example/search?q=John+Smith&city=Springfield";
    const { vault, text } = sanitized(`Open ${url} please`);
    expect(text).not.toContain("John");
    expect(restore(text, vault)).toBe(`Open ${url} please`);
  });
});

describe("a name read from a form restores as the name", () => {
  it("with a space, in the answer and in a tool call", () => {
    const { vault, text } = sanitized("Body: full_name=Kwame+Brandt&plan=pro. Greet the customer.");
    expect(text).toBe("Body: full_name=<PERSON_1>&plan=pro. Greet the customer.");
    expect(restore("Hello <PERSON_1>!", vault)).toBe("Hello Kwame Brandt!");
    const call = restoreToolCall({ id: "c", type: "function", function: { name: "crm_lookup", arguments: '{"name":"<PERSON_1>"}' } } as Parameters<typeof restoreToolCall>[0], vault);
    expect(call.type === "function" && JSON.parse(call.function.arguments).name).toBe("Kwame Brandt");
  });

  it("also when the message's content is text parts", () => {
    const vault = new PseudonymVault();
    const outcome = sanitizer.sanitizeForCloud(
      { model: "gpt-4o-mini", messages: [{ role: "user", content: [{ type: "text", text: "Who is this? " }, { type: "text", text: "Body: full_name=Kwame+Brandt&plan=pro" }] }] },
      { vault, tenant: "acme" },
    );
    expect(outcome.kind === "cloud" && outcome.request.messages[0]!.content).toEqual([
      { type: "text", text: "Who is this? " },
      { type: "text", text: "Body: full_name=<PERSON_1>&plan=pro" },
    ]);
    expect(restore("<PERSON_1>", vault)).toBe("Kwame Brandt");
  });

  it("and is the same person as the name written plainly", () => {
    expect(cloudTextOf(sanitizer, "name=Kwame+Brandt&plan=pro, and later Kwame Brandt wrote again")).toBe(
      "name=<PERSON_1>&plan=pro, and later <PERSON_1> wrote again",
    );
  });

  it("but an e-mail address keeps its +, which people type unencoded", () => {
    const { vault, text } = sanitized("Body: email=ann+billing@example.com&name=Kwame+Brandt");
    expect(text).toBe("Body: email=<EMAIL_ADDRESS_1>&name=<PERSON_1>");
    expect(restore("<EMAIL_ADDRESS_1>", vault)).toBe("ann+billing@example.com");
  });

  it("and a phone number its leading +", () => {
    const { vault, text } = sanitized("Body: tel=+14155550132&name=Priya+Raghunathan");
    expect(text).toBe("Body: tel=<PHONE_NUMBER_1>&name=<PERSON_1>");
    expect(restore("<PHONE_NUMBER_1>", vault)).toBe("+14155550132");
  });
});

describe("a long form body", () => {
  // A budget a loaded test machine keeps: what is tested is that such a body is read in time linear in
  // it, not refused on principle (measured: ~150 ms of CPU, as a 900 KB HTML page of escapes takes).
  it("of 1 MB is read within a budget a loaded test machine keeps", () => {
    const policy = patientPolicy();
    const tight = createSanitizer({ policy: { ...policy, scan: { ...policy.scan, budget_ms: 5_000 } }, engine, env: {} });
    const words = "the+quarterly+report+was+sent+to+the+whole+team+on+Monday%2C+as+agreed";
    let body = "";
    for (let i = 0; body.length < 990_000; i++) body += `field_${i}=${words}&`;
    body += "full_name=Kwame+Brandt";
    expect(cloudTextOf(tight, body).endsWith("&full_name=<PERSON_1>")).toBe(true);
  });
});

describe("a + everywhere else keeps its meaning", () => {
  it.each([
    "C++ and C# are both fine for this; is 1+1=2 in every base?",
    "The route is /wiki/C++ and the anchor #a+b; x=a+b is one assignment.",
    "Run: total=price+tax; count = n+1",
  ])("%s", (text) => {
    expect(found(engine, text)).toEqual([]);
    expect(formValues(text)).toEqual([]);
  });

  it("a URL's fragment is no query", () => {
    const url = "https://docs.example/page?lang=en#q=John+Smith";
    expect(formValues(url)).toEqual([]);
    expect(found(engine, `See ${url} for the heading.`)).toEqual([["URL", url]]);
  });

  it("a phone number with + stays one", () => {
    expect(found(engine, "Call +1 415 555 0100 or +44 20 7946 0958 tomorrow.")).toEqual([
      ["PHONE_NUMBER", "+1 415 555 0100"],
      ["PHONE_NUMBER", "+44 20 7946 0958"],
    ]);
  });
});

describe("formValues", () => {
  it("takes the values of a query and of a form body of two pairs or more", () => {
    const query = "GET /s?q=John+Smith&page=2&sort=a+b#x+y";
    expect(formValues(query).map(([start, end]) => query.slice(start, end))).toEqual(["John+Smith", "a+b"]);
    const body = "name=Maria+Gonzalez&email=x";
    expect(formValues(body).map(([start, end]) => body.slice(start, end))).toEqual(["Maria+Gonzalez"]);
    // A lone pair only when its value is capitalised words (names-in-a-lone-form-pair.test.ts).
    expect(formValues("name=Maria+Gonzalez")).toEqual([[5, 19]]);
    expect(formValues("total=price+tax")).toEqual([]);
  });

  it("leaves a value's leading + before a digit to the phone number", () => {
    const body = "tel=+1+415+555+0100&x=1";
    expect(decodeEscapes(body)?.text).toBe("tel=+1 415 555 0100&x=1");
  });

  it("maps a name read with spaces back to the name as written", () => {
    const decoded = decodeEscapes("q=Kwame+Brandt&x=1")!;
    expect(decoded.text).toBe("q=Kwame Brandt&x=1");
    const [entity] = decoded.toOriginal([{ type: "PERSON", start: 2, end: 14, score: 1 }]);
    expect([entity!.start, entity!.end]).toEqual([2, 14]);
  });
});
