/**
 * Name and place lists for PERSON and LOCATION, taken from the lexicon of `compromise` (a maintained NLP
 * library). Running compromise's full tagger costs about 19 ms per KB on this machine, far too slow for
 * every request; looking capitalised words up in its lexicon keeps most of its knowledge at pattern speed.
 */
import nlp from "compromise/two";
import { z } from "zod";

const LexiconWorld = z.object({
  model: z.object({ one: z.object({ lexicon: z.record(z.string(), z.union([z.string(), z.array(z.string())])) }) }),
});

export type PlaceKind = "city" | "region" | "country";

export interface Gazetteers {
  firstNames: ReadonlySet<string>;
  lastNames: ReadonlySet<string>;
  /** Lower-case, single-spaced place names ("new york") to their kind. */
  places: ReadonlyMap<string, PlaceKind>;
  /** Words that are capitalised without being names: weekdays, months, honorifics, org words. */
  notNames: ReadonlySet<string>;
  /**
   * The not-names that also end a name already started (weekdays, months, honorifics: "Emily Monday"
   * is Emily on a Monday). Company words do not: Ford, Dupont and Bayer are surnames too.
   */
  nameEnds: ReadonlySet<string>;
  /** Every other word the lexicon knows (verbs, nouns, adjectives, …); a word outside all sets is unknown. */
  commonWords: ReadonlySet<string>;
}

const FIRST_NAME_TAGS = new Set(["FirstName", "MaleName", "FemaleName", "Person"]);
const PLACE_TAGS: Record<string, PlaceKind> = { City: "city", Region: "region", Country: "country" };
const NAME_END_TAGS = new Set(["WeekDay", "Month", "Honorific"]);
const NOT_NAME_TAGS = new Set([...NAME_END_TAGS, "Organization", "Demonym", "Currency", "SportsTeam"]);

/** Built once per engine; the lexicon has ~25k entries and takes a few milliseconds to index. */
export function compromiseGazetteers(): Gazetteers {
  const { lexicon } = LexiconWorld.parse(nlp.world()).model.one;
  const firstNames = new Set<string>();
  const lastNames = new Set<string>();
  const places = new Map<string, PlaceKind>();
  const notNames = new Set<string>();
  const nameEnds = new Set<string>();
  const commonWords = new Set<string>();
  for (const [word, tagOrTags] of Object.entries(lexicon)) {
    const tags = typeof tagOrTags === "string" ? [tagOrTags] : tagOrTags;
    // A word with any non-name reading ("Will", "Hope") is too ambiguous to count as a name on its own.
    if (tags.every((t) => FIRST_NAME_TAGS.has(t))) firstNames.add(word);
    else if (tags.every((t) => t === "LastName")) lastNames.add(word);
    else commonWords.add(word);
    for (const tag of tags) {
      const kind = PLACE_TAGS[tag];
      if (kind) places.set(word, kind);
      if (NOT_NAME_TAGS.has(tag)) notNames.add(word);
      if (NAME_END_TAGS.has(tag)) nameEnds.add(word);
    }
  }
  return { firstNames, lastNames, places, notNames, nameEnds, commonWords };
}
