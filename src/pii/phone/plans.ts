/**
 * libphonenumber-js's numbering plans with their regular expressions compiled once. libphonenumber
 * itself rebuilds `new RegExp(pattern)` from the metadata on every call, which is most of its 10-70 µs
 * per parse; with the patterns compiled, deciding which national number and country it would validate
 * costs well under a microsecond.
 */
import { Metadata, type CountryCode, type NumberingPlan } from "libphonenumber-js/max";
import metadataJson from "libphonenumber-js/metadata.max.json";

/**
 * Methods libphonenumber's numbering plans have at run time but its type declarations leave out. The
 * optional ones return `0` or `undefined` when a plan has none (the compressed metadata's encoding),
 * hence `unknown` and `present`.
 */
interface RuntimeNumberingPlan extends NumberingPlan {
  callingCode(): string;
  nationalNumberPattern(): string;
  type(name: NumberTypeName): { pattern(): unknown; possibleLengths(): number[] | undefined } | undefined;
  nationalPrefix(): unknown;
  nationalPrefixForParsing(): unknown;
  nationalPrefixTransformRule(): unknown;
}

// The types libphonenumber's getNumberType tries; a number is valid when one of them matches.
const NUMBER_TYPES = ["FIXED_LINE", "MOBILE", "TOLL_FREE", "PREMIUM_RATE", "PERSONAL_NUMBER", "VOICEMAIL", "UAN", "PAGER", "VOIP", "SHARED_COST"] as const;
type NumberTypeName = (typeof NUMBER_TYPES)[number];

export interface NumberType {
  /** `^(?:…)$` */
  pattern: RegExp;
  /** Undefined when the type lists none: libphonenumber then checks its pattern alone. */
  possibleLengths: readonly number[] | undefined;
}

const present = (value: unknown): string | undefined => (typeof value === "string" && value !== "" ? value : undefined);
const fromStart = (pattern: string | undefined) => (pattern === undefined ? null : new RegExp(`^(?:${pattern})`));

export interface CountryPlan {
  country: CountryCode;
  callingCode: string;
  /** The general national number pattern, `^(?:…)$`: libphonenumber's first test of validity. */
  nationalNumber: RegExp;
  /** Fixed line, mobile, toll free, …: libphonenumber's isValid holds when one matches (pattern and length). Every plan of the full metadata has some. */
  numberTypes: readonly NumberType[];
  /** Picks this country among those sharing a calling code, as `nationalNumber.search(…) === 0` does. */
  leadingDigits: RegExp | null;
  /** Ascending, as libphonenumber's length check expects. */
  possibleLengths: readonly number[];
  /** The written trunk prefix ("0" in most of Europe, "1" in North America). */
  trunkPrefix: string | undefined;
  /** What libphonenumber strips before validating a national number (the trunk prefix, and more in some plans). */
  nationalPrefixForParsing: RegExp | null;
  /** With a transform rule the national number is rewritten, not just stripped. */
  rewritesNationalNumber: boolean;
  /** Dialled before an international number from this country ("011" in the US, "00" in Europe). */
  internationalPrefix: RegExp | null;
}

export interface NumberingPlans {
  country(code: CountryCode): CountryPlan;
  /** The countries sharing a calling code, main country first, as libphonenumber orders them. */
  countriesFor(callingCode: string): readonly CountryPlan[] | undefined;
  /** Calling codes of non-geographic services (+800, +882, …), which have no country. */
  isNonGeographic(callingCode: string): boolean;
}

/** Compiles every plan of the full metadata: ~250 countries, a few milliseconds, once per validator. */
export function compileNumberingPlans(): NumberingPlans {
  const metadata = new Metadata();
  const compiled = new Map<string, RegExp>();
  const countries = new Map<string, CountryPlan>();
  const byCallingCode = new Map<string, CountryPlan[]>();
  for (const [callingCode, codes] of Object.entries(metadataJson.country_calling_codes) as [string, CountryCode[]][]) {
    const plans = codes.map((country) => {
      metadata.selectNumberingPlan(country);
      // The cast only names methods the object has at run time (see RuntimeNumberingPlan).
      const plan = metadata.numberingPlan as RuntimeNumberingPlan;
      const whole = (pattern: string) => {
        let regex = compiled.get(pattern);
        if (!regex) compiled.set(pattern, (regex = new RegExp(`^(?:${pattern})$`)));
        return regex;
      };
      const numberTypes = NUMBER_TYPES.flatMap((name): NumberType[] => {
        const type = plan.type(name);
        const pattern = present(type?.pattern());
        return type && pattern ? [{ pattern: whole(pattern), possibleLengths: type.possibleLengths() }] : [];
      });
      const countryPlan: CountryPlan = {
        country,
        callingCode,
        nationalNumber: whole(plan.nationalNumberPattern()),
        numberTypes,
        leadingDigits: fromStart(present(plan.leadingDigits())),
        possibleLengths: plan.possibleLengths(),
        trunkPrefix: present(plan.nationalPrefix()),
        nationalPrefixForParsing: fromStart(present(plan.nationalPrefixForParsing())),
        rewritesNationalNumber: present(plan.nationalPrefixTransformRule()) !== undefined,
        internationalPrefix: fromStart(present(plan.IDDPrefix())),
      };
      countries.set(country, countryPlan);
      return countryPlan;
    });
    byCallingCode.set(callingCode, plans);
  }
  const nonGeographic = new Set(Object.keys(metadataJson.nonGeographic ?? {}));
  return {
    country(code) {
      const plan = countries.get(code);
      if (!plan) throw new Error(`libphonenumber has no numbering plan for ${code}`);
      return plan;
    },
    countriesFor: (callingCode) => byCallingCode.get(callingCode),
    isNonGeographic: (callingCode) => nonGeographic.has(callingCode),
  };
}
