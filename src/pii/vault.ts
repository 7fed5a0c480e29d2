/**
 * The pseudonym vault of one conversation: placeholder ↔ original value. It holds the very values the
 * policy keeps from the cloud, so it never prints them: `toString`, `toJSON` and `util.inspect` show only
 * a count, and the values come out only through `vaultToJSON`, meant for the conversation store.
 */
import { inspect } from "node:util";
import { z } from "zod";
import { canonicalValue } from "./canonical-value.js";
import { decodedValue } from "./decode.js";
import { BUILTIN_ENTITY_TYPES } from "./entity.js";

/** What a placeholder holds between its brackets: its type and counter (`PERSON_1`). */
export const PLACEHOLDER_BODY = String.raw`[A-Z][A-Z0-9_]*_\d+`;
const PLACEHOLDER = new RegExp(`<${PLACEHOLDER_BODY}>`, "g");
const BODY = new RegExp(PLACEHOLDER_BODY, "g");
/** A whole value shaped like a placeholder: text a client typed, never a personal value (see `placeholderFor`). */
const PLACEHOLDER_SHAPED = new RegExp(`^<${PLACEHOLDER_BODY}>$`);

const SnapshotSchema = z.strictObject({
  version: z.literal(1),
  counters: z.record(z.string(), z.int().min(0)),
  entries: z.array(z.tuple([z.string().regex(new RegExp(`^<${PLACEHOLDER_BODY}>$`)), z.string()])),
});

export class PseudonymVault {
  readonly #placeholderByValue = new Map<string, string>();
  readonly #valueByPlaceholder = new Map<string, string>();
  readonly #counters = new Map<string, number>();
  // Not in the snapshot: the pipeline reads the vault anew for every request, so these are the bare
  // aliases of the request at hand, and a stored conversation never turns plain text into a value.
  readonly #bare = new Set<string>();
  /** Every start of every bare alias, made when first asked for after the aliases changed (see `bareAliasStarts`). */
  #bareStarts: Set<string> | undefined;
  // Not in the snapshot either: placeholders the request at hand holds as typed text (`reserve`).
  readonly #reserved = new Set<string>();

  /**
   * The placeholder for `value`, the same one every time within this vault (whatever `type` says later),
   * however the value is written (`canonicalValue`); it restores as first written, escapes decoded
   * (`restoreForm`). `read` is the value as read where it was written, where its context decides what
   * is an escape (`Kwame+Brandt` in a form is "Kwame Brandt", decode.ts `valueReader`); by default, the
   * value read alone.
   */
  placeholderFor(type: string, value: string, read: string = decodedValue(value)): string {
    const existing = this.#placeholderByValue.get(value) ?? (PLACEHOLDER_SHAPED.test(value) ? undefined : this.#placeholderByValue.get(spellingKey(type, read)));
    if (existing !== undefined) return existing;
    let next = (this.#counters.get(type) ?? 0) + 1;
    while (this.#reserved.has(`<${type}_${next}>`)) next++;
    this.#counters.set(type, next);
    const placeholder = `<${type}_${next}>`;
    this.#index(type, value, placeholder, read);
    this.#valueByPlaceholder.set(placeholder, restoreForm(type, value, read));
    return placeholder;
  }

  /**
   * A value is found by the string itself (the same string is one value whatever type it is found as)
   * and by its type's canonical spelling: two types' spellings never meet (an SSN's digits and a
   * phone's may be the same).
   */
  #index(type: string, value: string, placeholder: string, read = value): void {
    this.#placeholderByValue.set(value, placeholder);
    // A client's text that looks like one of our placeholders (`<CREDIT_CARD_4111…>`) is that exact
    // text only: read as its type's spelling, it could stand for a real value.
    if (!PLACEHOLDER_SHAPED.test(value)) this.#placeholderByValue.set(spellingKey(type, read), placeholder);
  }

  /**
   * Never hands out `placeholder` for a value: the request holds it as text the client typed, which
   * the model's echo must give back as typed. The number is skipped, as a pruned one is.
   *
   * @example vault.reserve("<EMAIL_ADDRESS_1>"); vault.placeholderFor("EMAIL_ADDRESS", "ann@example.com") // "<EMAIL_ADDRESS_2>"
   */
  reserve(placeholder: string): void {
    this.#reserved.add(placeholder);
  }

  valueOf(placeholder: string): string | undefined {
    return this.#valueByPlaceholder.get(placeholder);
  }

  /**
   * Notes that the placeholders in `sanitized` also went out without their brackets (`PERSON_1`: a
   * message `name` allows no `<>`), so restoring the answer looks for that form too.
   *
   * @example vault.handedOutBare("<PERSON_1>") // the answer's "Hello PERSON_1" is restored
   */
  handedOutBare(sanitized: string): void {
    for (const [placeholder] of sanitized.matchAll(PLACEHOLDER)) {
      if (this.#valueByPlaceholder.has(placeholder) && !this.#bare.has(placeholder.slice(1, -1))) {
        this.#bare.add(placeholder.slice(1, -1));
        this.#bareStarts = undefined;
      }
    }
  }

  /** The placeholders handed out without brackets, as they went out (`PERSON_1`). */
  bareAliases(): ReadonlySet<string> {
    return this.#bare;
  }

  /**
   * Every start of a bare alias ("P", "PE", … "PERSON_1"): what a streamed answer's end may be, to be
   * completed by the next delta. Made once for all of an answer's restorers, which ask on every
   * delta: looking each alias up there cost aliases × deltas (thousands of message names and a long
   * answer held the event loop for seconds).
   */
  bareAliasStarts(): ReadonlySet<string> {
    if (this.#bareStarts === undefined) {
      this.#bareStarts = new Set();
      for (const alias of this.#bare) for (let end = 1; end <= alias.length; end++) this.#bareStarts.add(alias.slice(0, end));
    }
    return this.#bareStarts;
  }

  /** The placeholders handed out, never their values. */
  placeholders(): string[] {
    return [...this.#valueByPlaceholder.keys()];
  }

  get size(): number {
    return this.#valueByPlaceholder.size;
  }

  /** How many placeholders this vault has numbered, pruned ones included (see `retainOnly`). */
  get numbered(): number {
    let total = 0;
    for (const count of this.#counters.values()) total += count;
    return total;
  }

  /**
   * The placeholders some text still names: bracketed (`<PERSON_1>`), as the bare alias a message
   * `name` carries (`PERSON_1`), or by their value as first written (a history stored raw holds the
   * values, not the placeholders). Texts may be JSON: a value is looked for JSON-escaped too.
   *
   * @example vault.namedIn([JSON.stringify(storedMessages)])
   */
  namedIn(texts: readonly string[]): Set<string> {
    const named = new Set<string>();
    for (const text of texts) {
      for (const [body] of text.matchAll(BODY)) {
        if (this.#valueByPlaceholder.has(`<${body}>`)) named.add(`<${body}>`);
      }
    }
    for (const [placeholder, value] of this.#valueByPlaceholder) {
      if (named.has(placeholder) || value.length === 0) continue;
      const escaped = JSON.stringify(value).slice(1, -1);
      if (texts.some((text) => text.includes(value) || text.includes(escaped))) named.add(placeholder);
    }
    return named;
  }

  /**
   * A copy holding only the entries `keep` accepts. Counters are kept: a number once handed out may
   * still be in a client's or a model's hands, so a later value never gets it again (`<EMAIL_ADDRESS_3>`
   * never means two values in one conversation).
   */
  retainOnly(keep: (placeholder: string) => boolean): PseudonymVault {
    const copy = new PseudonymVault();
    for (const [type, count] of this.#counters) copy.#counters.set(type, count);
    for (const [key, placeholder] of this.#placeholderByValue) {
      if (!keep(placeholder)) continue;
      copy.#placeholderByValue.set(key, placeholder);
      copy.#valueByPlaceholder.set(placeholder, this.#valueByPlaceholder.get(placeholder)!);
    }
    for (const bare of this.#bare) if (copy.#valueByPlaceholder.has(`<${bare}>`)) copy.#bare.add(bare);
    return copy;
  }

  toString(): string {
    return `[PseudonymVault: ${this.size} entries]`;
  }

  toJSON(): string {
    return this.toString();
  }

  [inspect.custom](): string {
    return this.toString();
  }

  /** @internal for `vaultToJSON` */
  static snapshot(vault: PseudonymVault): z.infer<typeof SnapshotSchema> {
    return { version: 1, counters: Object.fromEntries(vault.#counters), entries: [...vault.#valueByPlaceholder] };
  }

  /** @internal for `vaultFromJSON` */
  static fromSnapshot(snapshot: z.infer<typeof SnapshotSchema>): PseudonymVault {
    const vault = new PseudonymVault();
    for (const [type, count] of Object.entries(snapshot.counters)) vault.#counters.set(type, count);
    for (const [placeholder, value] of snapshot.entries) {
      vault.#valueByPlaceholder.set(placeholder, value);
      vault.#index(placeholder.slice(1, -1).replace(/_\d+$/, ""), value, placeholder);
    }
    return vault;
  }
}

/**
 * The vault as a JSON string for the conversation store. The string contains the original values:
 * store it like the conversation itself, never log it.
 *
 * @example
 * await redis.set(`conv:${id}:vault`, vaultToJSON(vault), "EX", ttl);
 */
export function vaultToJSON(vault: PseudonymVault): string {
  return JSON.stringify(PseudonymVault.snapshot(vault));
}

/** Throws a `ZodError` (no values in its message) when `json` is not a vault snapshot. */
export function vaultFromJSON(json: string): PseudonymVault {
  return PseudonymVault.fromSnapshot(SnapshotSchema.parse(JSON.parse(json)));
}

/** Types whose values are people's data, spelt by people: restored with their escapes decoded. */
const DECODED_ON_RESTORE: ReadonlySet<string> = new Set<string>(BUILTIN_ENTITY_TYPES.filter((type) => type !== "URL" && type !== "SECRET"));

/**
 * What a placeholder restores to. A value found behind escapes (`ann.lee%40example.com` in a logged
 * URL, `Jos\u00e9` in JSON, `Kwame+Brandt` in a form, `Jos=C3=A9` or a line broken by `=` in a
 * quoted-printable mail) is restored as the value it spells, `read` where it was written: the answer's
 * "Hello <PERSON_1>!" and a tool call's `{"to": "<EMAIL_ADDRESS_1>"}` need "José" and
 * "ann.lee@example.com", not the escapes of the context it was first seen in; that holds even where the
 * model echoes the value back into the same escaped context (a URL it writes again reads
 * `ann.lee@example.com` in its query, which every URL parser takes). URLs and secrets stay as written:
 * a URL's escapes are part of it (`a%20b` is not `a b`), and a secret's characters are what they are
 * (`p%40ss` may be the password). So do custom types and the typed placeholders clients write, and
 * base64 (`read` keeps it: a value found inside base64 is the base64 whole, which is what a tool given
 * it back can use).
 */
function restoreForm(type: string, value: string, read: string): string {
  return DECODED_ON_RESTORE.has(type) && !PLACEHOLDER_SHAPED.test(value) ? read : value;
}

/** Not a value any text holds (it starts with a NUL), so it never meets a raw value's key. */
function spellingKey(type: string, value: string): string {
  return `\u0000${type}\u0000${canonicalValue(type, value)}`;
}
