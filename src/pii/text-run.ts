/**
 * A message's consecutive text parts reach the model as one text (providers join them), so a value
 * split across two parts ("card 4111 1111 " + "1111 1111") is scanned in the joined text and its
 * replacement mapped back to the parts.
 */
import type { Entity } from "./entity.js";

/**
 * The parts with each entity of their joined text replaced: the replacement goes where the entity
 * starts, and the rest of its span is removed from the parts it runs into, so no fragment of the value
 * stays. `parts` itself when no entity changes anything.
 *
 * @example applyAcrossParts(["write to ann", "@example.com"], entities, replace) // ["write to <EMAIL_ADDRESS_1>", ""]
 */
export function applyAcrossParts(parts: readonly string[], entities: readonly Entity[], replace: (entity: Entity, value: string) => string): readonly string[] {
  if (entities.length === 0) return parts;
  const joined = parts.join("");
  const out: string[] = parts.map(() => "");
  const partAt = (offset: number) => {
    let index = 0;
    for (let start = 0; index < parts.length - 1 && offset >= start + parts[index]!.length; index++) start += parts[index]!.length;
    return index;
  };
  const starts: number[] = [];
  for (let i = 0, start = 0; i < parts.length; start += parts[i]!.length, i++) starts.push(start);
  // Copies joined[from, to) into the parts it spans.
  const copy = (from: number, to: number) => {
    for (let i = partAt(from); i < parts.length && starts[i]! < to; i++) out[i] += joined.slice(Math.max(from, starts[i]!), Math.min(to, starts[i]! + parts[i]!.length));
  };
  let copied = 0;
  let changed = false;
  for (const entity of entities) {
    const value = joined.slice(entity.start, entity.end);
    const replaced = replace(entity, value);
    if (replaced === value) continue;
    changed = true;
    copy(copied, entity.start);
    out[partAt(entity.start)] += replaced;
    copied = entity.end;
  }
  if (!changed) return parts;
  copy(copied, joined.length);
  return out;
}
