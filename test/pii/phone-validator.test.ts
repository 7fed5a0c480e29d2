import { getCountries, getCountryCallingCode, Metadata, parsePhoneNumberFromString, type CountryCode, type NumberingPlan } from "libphonenumber-js/max";
import { describe, expect, it } from "vitest";
import { phoneValidator } from "../../src/pii/phone/index.js";
import { loadCorpus } from "../../bench/pii-corpus.js";
import { defaultPolicy } from "./support.js";

const REGIONS = defaultPolicy().phone_regions as CountryCode[];

/**
 * What the validator answered before it had a prefilter: libphonenumber parses the candidate in every
 * region whose plan fits its length and trunk prefix. The prefilter may only make this faster.
 */
function libphonenumberAlone(regions: readonly CountryCode[]): (candidate: string) => boolean {
  const metadata = new Metadata();
  const plans = regions.map((region) => {
    metadata.selectNumberingPlan(region);
    const plan = metadata.numberingPlan as (NumberingPlan & { nationalPrefix?: () => string | undefined }) | undefined;
    return { region, prefix: plan?.nationalPrefix?.(), lengths: new Set(plan?.possibleLengths() ?? []) };
  });
  const fits = (digits: string, plan: (typeof plans)[number]) => {
    if (plan.prefix && digits.startsWith(plan.prefix)) return plan.lengths.has(digits.length - plan.prefix.length);
    return plan.prefix !== "0" && plan.lengths.has(digits.length);
  };
  return (candidate) => {
    const trimmed = candidate.trimStart();
    const international = trimmed.startsWith("+") ? trimmed : trimmed.startsWith("00") ? `+${trimmed.slice(2)}` : null;
    if (international !== null) return parsePhoneNumberFromString(international)?.isValid() ?? false;
    const digits = trimmed.replace(/\D/g, "");
    return plans.some((plan) => fits(digits, plan) && (parsePhoneNumberFromString(trimmed, plan.region)?.isValid() ?? false));
  };
}

// The phone recognizer's candidate shape (src/pii/recognizers/phone.ts).
const CANDIDATE = /(?<![\w+.\-/])(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,5}\)[ .-]?)?(?:\d{7,15}|\d{1,8}(?:[ .-]\d{1,8}){1,5})(?![\w]|[.-]\d)/g;

/** Deterministic phone-shaped strings: calling codes, trunk prefixes, IDD prefixes, groupings, junk digits. */
function* generatedCandidates(count: number): Generator<string> {
  let seed = 42;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const pick = <T,>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  const digits = (n: number) => Array.from({ length: n }, () => Math.floor(random() * 10)).join("");
  const prefixes = ["", "", "", "0", "1", "8", "+1 ", "+44 ", "+49 ", "+33 ", "+34 ", "+39 ", "+31 ", "+91 ", "+61 ", "+7 ", "+54 ", "+55 ", "+81 ", "+800 ", "0044 ", "011 44 ", "011 0", "00 49 ", "+44 (0)", "39 ", "91 "];
  // Real area codes and mobile ranges make valid numbers common enough to exercise both answers.
  const leads = ["", "", "415", "212", "604", "20", "30", "6", "7", "07", "030", "020", "06", "98", "2", "3"];
  const separators = [" ", "-", ".", ""];
  for (let i = 0; i < count; i++) {
    const body = pick(leads) + digits(4 + Math.floor(random() * 8));
    const separator = pick(separators);
    let grouped = "";
    for (let at = 0; at < body.length; ) {
      const size = 2 + Math.floor(random() * 3);
      grouped += (at === 0 ? "" : separator) + body.slice(at, at + size);
      at += size;
    }
    yield pick(prefixes) + (random() < 0.15 ? `(${grouped.slice(0, 3)}) ${grouped.slice(3)}` : grouped);
  }
}

describe("phone validation prefilter", () => {
  const fast = phoneValidator(REGIONS);
  const reference = libphonenumberAlone(REGIONS);

  it("answers exactly as libphonenumber alone on every phone-shaped candidate of the labelled corpus", () => {
    const candidates = new Set(loadCorpus().flatMap((sample) => [...sample.text.matchAll(CANDIDATE)].map((m) => m[0])));
    const disagreements = [...candidates].filter((c) => fast(c) !== reference(c));
    expect(disagreements).toEqual([]);
    expect([...candidates].filter(fast).length).toBeGreaterThan(20);
  });

  it("answers exactly as libphonenumber alone on thousands of generated numbers, valid and not", () => {
    const candidates = [...new Set(generatedCandidates(4000))];
    const disagreements = candidates.filter((c) => fast(c) !== reference(c));
    expect(disagreements).toEqual([]);
    const valid = candidates.filter(fast).length;
    expect(valid).toBeGreaterThan(200);
    expect(valid).toBeLessThan(candidates.length - 200);
  });

  it("answers as libphonenumber alone for regions with unusual plans (trunk 8, carrier codes, no trunk prefix)", () => {
    const regions: CountryCode[] = ["RU", "AR", "BR", "JP", "MX", "IT", "CA"];
    const [fastOther, referenceOther] = [phoneValidator(regions), libphonenumberAlone(regions)];
    const candidates = [...new Set(generatedCandidates(1500))];
    expect(candidates.filter((c) => fastOther(c) !== referenceOther(c))).toEqual([]);
  });

  it("answers as libphonenumber alone in every country's plan, at every length it allows", () => {
    // The verdict itself is computed on compiled patterns: number types with and without their own lengths,
    // countries sharing a calling code, every plan's lengths. Random digits make both answers common.
    const metadata = new Metadata();
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const candidates: string[] = [];
    for (const country of getCountries()) {
      metadata.selectNumberingPlan(country);
      for (const length of (metadata.numberingPlan as NumberingPlan).possibleLengths()) {
        for (let k = 0; k < 20; k++) candidates.push(`+${getCountryCallingCode(country)} ${Array.from({ length }, () => Math.floor(random() * 10)).join("")}`);
      }
    }
    const fast = phoneValidator(["US"]);
    const reference = (candidate: string) => parsePhoneNumberFromString(candidate)?.isValid() ?? false;
    expect(candidates.filter((c) => fast(c) !== reference(c))).toEqual([]);
    expect(candidates.filter(reference).length).toBeGreaterThan(2000);
  });

  it("still accepts numbers from a region sharing a calling code with a policy region", () => {
    // Vancouver is Canadian; with only US in the policy, libphonenumber still validates it under +1.
    expect(phoneValidator(["US"])("(604) 555-0132")).toBe(reference("(604) 555-0132"));
    expect(phoneValidator(["US"])("+1 604 555 0132")).toBe(true);
  });
});
