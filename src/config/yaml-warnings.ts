/**
 * yaml-library warnings that change what a file means, turned into problems. The library reads a
 * value under a tag it cannot resolve as if the tag were not there and only warns: `tenant: !ENV
 * TEAM_TENANT` became the tenant literally named "TEAM_TENANT", a rule that never matched and that
 * `policy check` accepted. The other warnings (an unknown `%` directive, an anchor ending in `:`)
 * leave the value as written, so they stay silent.
 */
import type { Document } from "yaml";

const MEANING_CHANGING = new Set(["TAG_RESOLVE_FAILED", "BAD_COLLECTION_TYPE"]);

/** `!!int`, `!<tag:yaml.org,2002:int>`: a core YAML tag (not `!!python/str`), here on a value the library cannot read under it. */
const STANDARD_TAG = /^!(!|<tag:yaml\.org,2002:)(str|int|float|bool|null|seq|map|binary|timestamp|omap|pairs|set|merge|value)>?$/;

/**
 * Source offsets of the tags whose value was read as plain text, with what to tell ops.
 *
 * @example
 * tagProblems(parseDocument("a: !ENV X\n"), "a: !ENV X\n");
 * // [{ offset: 3, message: "custom YAML tags (!ENV) are not supported: write the value itself" }]
 */
export function tagProblems(doc: Document, text: string): { offset: number; message: string }[] {
  return doc.warnings
    .filter((warning) => MEANING_CHANGING.has(warning.code))
    .map((warning) => {
      const [start, end] = warning.pos;
      const tag = text.slice(start, end);
      const message = !tag.startsWith("!")
        ? warning.message.split("\n")[0] ?? warning.message
        : STANDARD_TAG.test(tag)
          ? `the YAML parser cannot read this value as ${tag}: remove the tag (a value's own form gives its type)`
          : `custom YAML tags (${tag}) are not supported: write the value itself`;
      return { offset: start, message };
    });
}
