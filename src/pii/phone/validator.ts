/**
 * Phone number validation by libphonenumber-js (full metadata), without paying for its parser on every
 * candidate.
 *
 * `parsePhoneNumber(text, region).isValid()` costs 10-70 µs, mostly because libphonenumber rebuilds
 * `new RegExp(pattern)` from its metadata at each of its steps, and a candidate may be tried in every
 * policy region. Here the steps that decide *which* national number and country get validated (trunk
 * prefix stripping, the country among those sharing a calling code) run on patterns compiled once
 * (`plans.ts`), in libphonenumber's order and with its rules, and so does the verdict (its isValid:
 * the general pattern and one number type). Plans
 * that rewrite national numbers (carrier codes in Latin America, …), non-geographic codes (+800, …)
 * and national numbers dialled with an international prefix go to libphonenumber's full parse, as
 * before. A test checks both answer alike on the corpus and on thousands of generated numbers.
 */
import { parsePhoneNumberFromString, type CountryCode } from "libphonenumber-js/max";
import { compileNumberingPlans, type CountryPlan } from "./plans.js";

/** Digits as libphonenumber has read them so far: after the calling code, or in a default region. */
interface Reading {
  /** Still with any national (trunk) prefix. */
  nationalNumber: string;
  callingCode: string;
  /** The plan libphonenumber has selected while parsing: the default region, or the calling code's main country. */
  selected: CountryPlan;
}

// libphonenumber's bounds on a national significant number (MIN/MAX_LENGTH_FOR_NSN).
const MIN_NATIONAL_DIGITS = 2;
const MAX_NATIONAL_DIGITS = 17;
// Calling codes are 1-3 digits and prefix-free.
const MAX_CALLING_CODE_DIGITS = 3;

/** Digits only: "+1 (415) 555-0132" → "14155550132". */
function digitsOf(text: string): string {
  let digits = "";
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) digits += text[i];
  }
  return digits;
}

/**
 * libphonenumber's verdict for a national number in one country (`PhoneNumber#isValid` on the full
 * metadata, which is its getNumberType), on our compiled patterns: the general pattern, then one number
 * type whose pattern matches, and its lengths when it lists any. Asking libphonenumber itself cost
 * 3-7 µs a number, most of the phone recognizer's time, for the same answer.
 */
function isValidIn(plan: CountryPlan, nationalNumber: string): boolean {
  if (!plan.nationalNumber.test(nationalNumber)) return false;
  const length = nationalNumber.length;
  return plan.numberTypes.some((type) => (type.possibleLengths === undefined || type.possibleLengths.includes(length)) && type.pattern.test(nationalNumber));
}

/**
 * The country libphonenumber attributes a national number to among those sharing its calling code
 * (its getCountryByNationalNumber): the first whose leading digits match, or else whose plan the number
 * is valid in. `valid` is set when the answer is already known to be a valid number.
 */
function exactCountry(countries: readonly CountryPlan[], nationalNumber: string): { plan: CountryPlan; valid?: true } | undefined {
  if (countries.length === 1) return { plan: countries[0]! };
  for (const plan of countries) {
    if (plan.leadingDigits) {
      if (plan.leadingDigits.test(nationalNumber)) return { plan };
    } else if (isValidIn(plan, nationalNumber)) {
      return { plan, valid: true };
    }
  }
  return undefined;
}

/** libphonenumber's extractNationalNumber, for plans that strip a prefix without rewriting the rest. */
function nationalNumberOf(digits: string, selected: CountryPlan, countries: readonly CountryPlan[]): string {
  const prefix = selected.nationalPrefixForParsing?.exec(digits);
  if (!prefix || prefix[0].length === 0) return digits;
  const stripped = digits.slice(prefix[0].length);
  // Keep the prefix when stripping it turns a plausible number into an implausible one.
  if (selected.nationalNumber.test(digits) && !selected.nationalNumber.test(stripped)) return digits;
  const lengths = (exactCountry(countries, stripped)?.plan ?? selected).possibleLengths;
  const shortest = lengths[0];
  const longest = lengths[lengths.length - 1];
  if (shortest === undefined || longest === undefined) return stripped;
  if (stripped.length < shortest) return digits;
  if (stripped.length < longest && !lengths.includes(stripped.length)) return digits;
  return stripped;
}

/**
 * A validator for phone numbers in international format ("+44 …", "0044 …") or in the national format
 * of one of `regions`. A national candidate is tried only in regions whose plan fits its shape: national
 * significant number length from the plan's metadata, and the trunk prefix ("0…") for plans that have
 * one, since national formats are written with it.
 *
 * @example
 * const isPhoneNumber = phoneValidator(["US", "DE"]);
 * isPhoneNumber("(415) 555-0132"); // true
 * isPhoneNumber("739-67-6752"); // false
 */
export function phoneValidator(regions: readonly CountryCode[]): (candidate: string) => boolean {
  // About 2 ms for all of libphonenumber's plans, once per validator (per policy load).
  const plans = compileNumberingPlans();
  const regionPlans = regions.map((region) => plans.country(region));

  const fitsLength = (digits: string, plan: CountryPlan) => {
    if (plan.trunkPrefix && digits.startsWith(plan.trunkPrefix)) return plan.possibleLengths.includes(digits.length - plan.trunkPrefix.length);
    return plan.trunkPrefix !== "0" && plan.possibleLengths.includes(digits.length);
  };

  /** Validity of what libphonenumber reads from `digits` after its calling code (or in a default region). */
  function verdict(reading: Reading, regionDefault: CountryPlan | undefined): boolean {
    const countries = plans.countriesFor(reading.callingCode) ?? [reading.selected];
    const nationalNumber = nationalNumberOf(reading.nationalNumber, reading.selected, countries);
    if (nationalNumber.length < MIN_NATIONAL_DIGITS || nationalNumber.length > MAX_NATIONAL_DIGITS) return false;
    const exact = exactCountry(countries, nationalNumber);
    if (exact?.valid) return true;
    if (exact) return isValidIn(exact.plan, nationalNumber);
    // Without an exact country, a national number keeps its default region and an international one is
    // validated in its calling code's main plan; exactCountry has already found it invalid unless it
    // was skipped for its leading digits.
    const fallback = regionDefault ?? reading.selected;
    if (countries.includes(fallback) && !fallback.leadingDigits) return false;
    return isValidIn(fallback, nationalNumber);
  }

  /** `digits` follow a "+" (or an international dialling prefix). */
  function international(digits: string): boolean {
    // libphonenumber reads no calling code starting with 0.
    if (digits.startsWith("0")) return false;
    for (let length = 1; length <= MAX_CALLING_CODE_DIGITS && length <= digits.length; length++) {
      const callingCode = digits.slice(0, length);
      if (plans.isNonGeographic(callingCode)) return parsePhoneNumberFromString(`+${digits}`)?.isValid() ?? false;
      const countries = plans.countriesFor(callingCode);
      if (!countries) continue;
      const main = countries[0]!;
      if (main.rewritesNationalNumber) return parsePhoneNumberFromString(`+${digits}`)?.isValid() ?? false;
      return verdict({ nationalNumber: digits.slice(length), callingCode, selected: main }, undefined);
    }
    return false;
  }

  function national(text: string, plan: CountryPlan): boolean {
    const digits = digitsOf(text);
    // Numbers dialled with the region's international prefix ("011 44 …" in the US) are rare in national
    // candidates (the length check above mostly rules them out): libphonenumber's full parse reads them.
    if (plan.rewritesNationalNumber || plan.internationalPrefix?.test(digits)) {
      return parsePhoneNumberFromString(text, plan.country)?.isValid() ?? false;
    }
    // A country code written without "+" ("1 415 555 0132" in the US) is dropped when the number reads
    // better without it (libphonenumber's extractCountryCallingCodeFromInternationalNumberWithoutPlusSign).
    if (digits.startsWith(plan.callingCode)) {
      const countries = plans.countriesFor(plan.callingCode) ?? [plan];
      const shorter = digits.slice(plan.callingCode.length);
      const whole = nationalNumberOf(digits, plan, countries);
      const longest = plan.possibleLengths[plan.possibleLengths.length - 1] ?? Infinity;
      if ((!plan.nationalNumber.test(whole) && plan.nationalNumber.test(nationalNumberOf(shorter, plan, countries))) || whole.length > longest) {
        const main = countries[0]!;
        if (main.rewritesNationalNumber) return parsePhoneNumberFromString(text, plan.country)?.isValid() ?? false;
        return verdict({ nationalNumber: shorter, callingCode: plan.callingCode, selected: main }, undefined);
      }
    }
    return verdict({ nationalNumber: digits, callingCode: plan.callingCode, selected: plan }, plan);
  }

  return (candidate) => {
    const trimmed = candidate.trimStart();
    if (trimmed.startsWith("+")) return international(digitsOf(trimmed));
    // "0044 20 …" is international from almost anywhere, whatever the policy's regions.
    if (trimmed.startsWith("00")) return international(digitsOf(trimmed).slice(2));
    const digits = digitsOf(trimmed);
    return regionPlans.some((plan) => fitsLength(digits, plan) && national(trimmed, plan));
  };
}
