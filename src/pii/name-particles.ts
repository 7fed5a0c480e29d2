/**
 * What stands between a given name and a surname without being capitalised itself or a word of its own:
 * the lower-case particles of Dutch, German, French, Spanish, Portuguese, Italian, Arabic and Nordic
 * surnames ("van der", "de la", "dos", "bin"), and a middle initial. Read alike in running text
 * (recognizers/names.ts) and in form values (decode-form.ts).
 */

/** The particles, in lower case (written capitalised too: "Maria De La Cruz"). */
export const NAME_PARTICLES: ReadonlySet<string> = new Set([
  "van", "von", "der", "den", "de", "del", "della", "des", "da", "das", "dos", "di", "du", "la", "las", "le", "los",
  "bin", "ibn", "al", "ter", "ten", "zu", "af", "av",
]);

/** Regex source of one particle, lower case. */
export const NAME_PARTICLE = `(?:${[...NAME_PARTICLES].join("|")})`;

/** Regex source of a middle initial without its full stop: a capital. */
export const BARE_INITIAL = "\\p{Lu}";
