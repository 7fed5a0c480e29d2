/**
 * Text a client typed that reads like one of the conversation's placeholders ("What does
 * <EMAIL_ADDRESS_1> mean?"). Sent as typed, the model's echo of it would be restored to the vault's
 * value — a real address the client never wrote there. So it is pseudonymized itself: it goes out
 * under a placeholder of its own (`<EMAIL_ADDRESS_2>`, whose value is the typed text), and the echo
 * comes back as the client typed it.
 */
import type { Entity } from "./entity.js";
import { PLACEHOLDER_BODY, type PseudonymVault } from "./vault.js";

/** The finding's type: what the action does with it is fixed (see `applyActions`), whatever the policy says. */
export const TYPED_PLACEHOLDER = "\u0000typed-placeholder";

const PLACEHOLDER = new RegExp(`<${PLACEHOLDER_BODY}>`, "g");
/** Also with the brackets JSON-escaped, as restoring reads them in tool-call arguments. */
const WRITTEN_PLACEHOLDER = new RegExp(String.raw`(?:<|\\u003[cC])(${PLACEHOLDER_BODY})(?:>|\\u003[eE])`, "g");
/**
 * Without brackets, as a message name's alias goes out (`PERSON_1`), from the start of a run of such
 * characters only, and bounded (a type is 40 characters at most): a long run costs steps linear in it.
 */
const BARE_WRITTEN = /(?<![A-Z0-9_])[A-Z][A-Z0-9_]{0,48}_\d{1,9}/g;
const COUNTER = /_\d+>$/;

/**
 * Every placeholder written anywhere in `node` (strings and object keys of a request, its messages),
 * with brackets or without, whether the vault holds it or not. The vault must never hand one of them out: text typed before
 * the value that would get its number (the same text, an earlier message or turn) could not be told
 * apart from that value's placeholder.
 *
 * @example placeholdersTypedIn(request, (p) => vault.reserve(p))
 */
export function placeholdersTypedIn(node: unknown, found: (placeholder: string) => void): void {
  const pending: unknown[] = [node];
  const text = (value: string) => {
    if (value.includes("<") || value.includes("\\u003")) for (const match of value.matchAll(WRITTEN_PLACEHOLDER)) found(`<${match[1]}>`);
    if (value.includes("_")) for (const match of value.matchAll(BARE_WRITTEN)) found(`<${match[0]}>`);
  };
  while (pending.length > 0) {
    const next = pending.pop();
    if (typeof next === "string") text(next);
    else if (Array.isArray(next)) for (const item of next) pending.push(item);
    else if (next !== null && typeof next === "object") {
      for (const [key, value] of Object.entries(next)) {
        text(key);
        pending.push(value);
      }
    }
  }
}

/** The placeholders of `vault` that `text` holds as written, as findings of type `TYPED_PLACEHOLDER`. */
export function typedPlaceholders(text: string, vault: PseudonymVault): Entity[] {
  if (vault.size === 0 || !text.includes("<")) return [];
  const found: Entity[] = [];
  for (const match of text.matchAll(PLACEHOLDER)) {
    if (vault.valueOf(match[0]) === undefined) continue;
    found.push({ type: TYPED_PLACEHOLDER, start: match.index, end: match.index + match[0].length, score: 1 });
  }
  return found;
}

/**
 * The scan's findings with the typed placeholders, in order, where they overlap: a finding whose
 * action leaves its text as it is (`allow`) gives way to the typed placeholder, which is then sent
 * under its own; any other finding wins — its action must hold whatever text it holds (a private key
 * with a placeholder typed inside is still blocked), and its replacement hides the typed text anyway.
 *
 * @param leavesText whether the policy's action for a finding of this type sends its text unchanged
 */
export function withTypedPlaceholders(findings: readonly Entity[], typed: readonly Entity[], leavesText: (type: string) => boolean): readonly Entity[] {
  if (typed.length === 0) return findings;
  const overlaps = (a: Entity, b: Entity) => a.start < b.end && b.start < a.end;
  const winning = findings.filter((f) => !leavesText(f.type) || typed.every((t) => !overlaps(f, t)));
  const apart = typed.filter((t) => winning.every((f) => !overlaps(f, t)));
  if (apart.length === 0) return winning;
  return [...winning, ...apart].sort((a, b) => a.start - b.start);
}

/** The placeholder the typed text goes out as: one of its own type when it reads as one (`EMAIL_ADDRESS`). */
export function typedPlaceholderFor(text: string, vault: PseudonymVault): string {
  const type = COUNTER.test(text) && text.startsWith("<") ? text.slice(1).replace(COUNTER, "") : "TEXT";
  return vault.placeholderFor(type, text);
}
