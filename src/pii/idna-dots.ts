/**
 * The ideographic full stops IDNA (UTS #46) reads as the dot between a domain's labels: U+3002, the
 * half-width U+FF61 and the full-width U+FF0E (NFKC folds U+FF0E into "." itself, but a recognizer
 * also reads the text as written, before the scan's normalising). Japanese and Chinese keyboards in
 * full-width mode type them in a domain: `tanaka@example。co。jp` is `tanaka@example.co.jp` to a mail
 * client and to a model.
 */
export const isIdeographicFullStop = (c: number) => c === 0x3002 || c === 0xff61 || c === 0xff0e;
const IDEOGRAPHIC_FULL_STOPS = /[\u3002\uff61\uff0e]/g;

/** `name` with its ideographic full stops written as ".", as IDNA reads them (as long as `name`). */
export const withIdnaDots = (name: string) => name.replace(IDEOGRAPHIC_FULL_STOPS, ".");
