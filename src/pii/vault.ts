/**
 * The pseudonym vault of one conversation: placeholder ↔ original value. It holds the very values the
 * policy keeps from the cloud, so it never prints them: `toString`, `toJSON` and `util.inspect` show only
 * a count, and the values come out only through `vaultToJSON`, meant for the conversation store.
 */
import { inspect } from "node:util";
import { z } from "zod";

const SnapshotSchema = z.strictObject({
  version: z.literal(1),
  counters: z.record(z.string(), z.int().min(0)),
  entries: z.array(z.tuple([z.string().regex(/^<[A-Z][A-Z0-9_]*_\d+>$/), z.string()])),
});

export class PseudonymVault {
  readonly #placeholderByValue = new Map<string, string>();
  readonly #valueByPlaceholder = new Map<string, string>();
  readonly #counters = new Map<string, number>();

  /** The placeholder for `value`, the same one every time within this vault (whatever `type` says later). */
  placeholderFor(type: string, value: string): string {
    const existing = this.#placeholderByValue.get(value);
    if (existing !== undefined) return existing;
    const next = (this.#counters.get(type) ?? 0) + 1;
    this.#counters.set(type, next);
    const placeholder = `<${type}_${next}>`;
    this.#placeholderByValue.set(value, placeholder);
    this.#valueByPlaceholder.set(placeholder, value);
    return placeholder;
  }

  valueOf(placeholder: string): string | undefined {
    return this.#valueByPlaceholder.get(placeholder);
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
      vault.#placeholderByValue.set(value, placeholder);
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
