/**
 * The pseudonym vault of one conversation: placeholder ↔ original value. It holds the very values the
 * policy keeps from the cloud, so it never prints them: `toString`, `toJSON` and `util.inspect` show only
 * a count, and the values come out only through `vaultToJSON`, meant for the conversation store.
 */
import { inspect } from "node:util";
import { z } from "zod";
import { canonicalValue } from "./canonical-value.js";

/** What a placeholder holds between its brackets: its type and counter (`PERSON_1`). */
export const PLACEHOLDER_BODY = String.raw`[A-Z][A-Z0-9_]*_\d+`;
const PLACEHOLDER = new RegExp(`<${PLACEHOLDER_BODY}>`, "g");

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

  /**
   * The placeholder for `value`, the same one every time within this vault (whatever `type` says later),
   * however the value is written (`canonicalValue`); it restores as first written.
   */
  placeholderFor(type: string, value: string): string {
    const key = canonicalValue(type, value);
    const existing = this.#placeholderByValue.get(key);
    if (existing !== undefined) return existing;
    const next = (this.#counters.get(type) ?? 0) + 1;
    this.#counters.set(type, next);
    const placeholder = `<${type}_${next}>`;
    this.#placeholderByValue.set(key, placeholder);
    this.#valueByPlaceholder.set(placeholder, value);
    return placeholder;
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
      if (this.#valueByPlaceholder.has(placeholder)) this.#bare.add(placeholder.slice(1, -1));
    }
  }

  /** The placeholders handed out without brackets, as they went out (`PERSON_1`). */
  bareAliases(): ReadonlySet<string> {
    return this.#bare;
  }

  /** The placeholders handed out, never their values. */
  placeholders(): string[] {
    return [...this.#valueByPlaceholder.keys()];
  }

  get size(): number {
    return this.#valueByPlaceholder.size;
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
      const type = placeholder.slice(1, -1).replace(/_\d+$/, "");
      vault.#placeholderByValue.set(canonicalValue(type, value), placeholder);
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
