/**
 * A message's consecutive text parts reach the model as one text (providers join them), so a value
 * split across two parts ("card 4111 1111 " + "1111 1111") is scanned in the joined text and its
 * replacement mapped back to the parts. Each part is still read on its own first: joined with nothing
 * between them, the end of one part runs into the next ("4111111111111111" + "thanks" is no card
 * number, "ann@example.com" + "Thanks" one longer address), so the joined reading only adds values
 * that cross a boundary where the parts alone found nothing.
 */
import type { Entity } from "./entity.js";

/**
 * The findings of `parts` with offsets into their joined text: each part's own, and the joined text's
 * that cross a boundary between parts and overlap none of those. Sorted by position, never overlapping.
 *
 * @example findingsAcrossParts(["card 4111 1111 ", "1111 1111"], engine.scan) // [CREDIT_CARD 5-24]
 */
export function findingsAcrossParts(parts: readonly string[], scan: (text: string) => readonly Entity[]): Entity[] {
  const found: Entity[] = [];
  const boundaries: number[] = [];
  let offset = 0;
  for (const part of parts) {
    if (offset > 0) boundaries.push(offset);
    for (const entity of part.length === 0 ? [] : scan(part)) found.push({ ...entity, start: entity.start + offset, end: entity.end + offset });
    offset += part.length;
  }
  const crosses = (entity: Entity) => boundaries.some((at) => entity.start < at && at < entity.end);
  const overlapsFound = (entity: Entity) => found.some((own) => own.start < entity.end && entity.start < own.end);
  const across = scan(parts.join("")).filter((entity) => crosses(entity) && !overlapsFound(entity));
  return [...found, ...across].sort((a, b) => a.start - b.start);
}

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
